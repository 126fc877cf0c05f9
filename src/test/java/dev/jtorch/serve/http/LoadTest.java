package dev.jtorch.serve.http;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import javax.imageio.ImageIO;

/**
 * The client of {@code scripts/loadtest}: drives a running {@code jtorch serve} on 127.0.0.1 with N
 * concurrent clients for a fixed number of requests, about 10% of them bad (each bad one must get
 * its 4xx), and prints requests/s, p50/p99 latency of the good ones, failed good requests and the
 * server's RSS (from its {@code /metrics}) before, after the first 1,000 requests and at the end.
 *
 * <p>Usage: {@code LoadTest --url http://127.0.0.1:PORT [--clients 16] [--requests 20000]
 * [--bad-every 10] [--label NAME]}; exits 1 if a good request failed or a bad one got an
 * unexpected status.
 */
public final class LoadTest {
    private LoadTest() {}

    /** One canned request and the status it must get. */
    private record Payload(String kind, String path, String contentType, byte[] body, int expect) {}

    public static void main(String[] args) throws Exception {
        String url = null;
        int clients = 16;
        int requests = 20_000;
        int badEvery = 10;
        String label = "";
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--url" -> url = args[++i];
                case "--clients" -> clients = Integer.parseInt(args[++i]);
                case "--requests" -> requests = Integer.parseInt(args[++i]);
                case "--bad-every" -> badEvery = Integer.parseInt(args[++i]);
                case "--label" -> label = args[++i];
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        if (url == null) {
            throw new IllegalArgumentException("--url is required");
        }
        URI base = URI.create(url);
        if (!base.getHost().equals("127.0.0.1") && !base.getHost().equals("localhost")) {
            throw new IllegalArgumentException("load tests only target 127.0.0.1, got " + base.getHost());
        }
        System.exit(run(url, clients, requests, badEvery, label) ? 0 : 1);
    }

    static boolean run(String url, int clients, int requests, int badEvery, String label) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
                .executor(Executors.newFixedThreadPool(4)).build();
        List<Payload> good = goodPayloads();
        List<Payload> bad = badPayloads();
        long rssBefore = rss(http, url);
        long handlesBefore = metric(http, url, "jtorch_native_handles");
        long[] latencies = new long[requests];
        boolean[] isGood = new boolean[requests];
        AtomicInteger next = new AtomicInteger();
        AtomicLong failedGood = new AtomicLong();
        AtomicLong unexpectedBad = new AtomicLong();
        AtomicLong rssAt1000 = new AtomicLong(-1);
        List<String> samples = java.util.Collections.synchronizedList(new ArrayList<>());
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        long t0 = System.nanoTime();
        List<Future<?>> fs = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            fs.add(pool.submit(() -> {
                for (int i; (i = next.getAndIncrement()) < requests; ) {
                    boolean g = i % badEvery != badEvery - 1;
                    Payload p = g ? good.get(i % good.size()) : bad.get((i / badEvery) % bad.size());
                    isGood[i] = g;
                    HttpRequest.Builder rb = HttpRequest.newBuilder(URI.create(url + p.path()))
                            .timeout(Duration.ofSeconds(30));
                    rb = p.body() == null ? rb.GET() : rb.POST(HttpRequest.BodyPublishers.ofByteArray(p.body()));
                    if (p.contentType() != null) {
                        rb.header("Content-Type", p.contentType());
                    }
                    long s = System.nanoTime();
                    int status;
                    String body;
                    try {
                        HttpResponse<String> r = http.send(rb.build(), HttpResponse.BodyHandlers.ofString());
                        status = r.statusCode();
                        body = r.body();
                    } catch (IOException e) {
                        status = -1;
                        body = e.toString();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return null;
                    }
                    latencies[i] = System.nanoTime() - s;
                    if (status != p.expect()) {
                        (g ? failedGood : unexpectedBad).incrementAndGet();
                        if (samples.size() < 5) {
                            samples.add(p.kind() + ": expected " + p.expect() + ", got " + status + " " + body);
                        }
                    }
                    if (i == 1000) {
                        rssAt1000.set(rss(http, url));
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : fs) {
            f.get();
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        pool.shutdown();
        long rssAfter = rss(http, url);
        long[] goodLat = new long[requests];
        int n = 0;
        for (int i = 0; i < requests; i++) {
            if (isGood[i]) {
                goodLat[n++] = latencies[i];
            }
        }
        goodLat = Arrays.copyOf(goodLat, n);
        Arrays.sort(goodLat);
        System.out.printf(Locale.ROOT, "%s: %d requests (%d good, %d bad) from %d clients in %.1f s: %.0f requests/s;"
                        + " good latency p50 %.2f ms, p99 %.2f ms; failed good %d, bad with unexpected status %d%n",
                label, requests, n, requests - n, clients, seconds, requests / seconds, pct(goodLat, 0.50),
                pct(goodLat, 0.99), failedGood.get(), unexpectedBad.get());
        System.out.printf(Locale.ROOT, "%s: server RSS before %s, after 1,000 requests %s, at the end %s"
                        + " (end - after 1,000: %+.1f MiB)%n", label, mib(rssBefore), mib(rssAt1000.get()),
                mib(rssAfter), (rssAfter - rssAt1000.get()) / 1048576.0);
        System.out.printf(Locale.ROOT, "%s: server native handles before %d, at the end %d%n", label, handlesBefore,
                metric(http, url, "jtorch_native_handles"));
        samples.forEach(s -> System.out.println(label + ": sample failure: " + s));
        return failedGood.get() == 0 && unexpectedBad.get() == 0;
    }

    private static double pct(long[] sorted, double q) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)] / 1e6;
    }

    private static String mib(long bytes) {
        return bytes < 0 ? "n/a" : String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
    }

    /** The server's {@code jtorch_rss_bytes}, or -1. */
    static long rss(HttpClient http, String url) {
        return metric(http, url, "jtorch_rss_bytes");
    }

    /** One unlabelled value of the server's {@code /metrics}, or -1. */
    static long metric(HttpClient http, String url, String name) {
        try {
            String m = http.send(HttpRequest.newBuilder(URI.create(url + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            for (String line : m.split("\n")) {
                if (line.startsWith(name + " ")) {
                    return (long) Double.parseDouble(line.substring(name.length() + 1).trim());
                }
            }
        } catch (IOException | InterruptedException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    private static float[] image(Random r) {
        float[] px = new float[784];
        for (int i = 0; i < px.length; i++) {
            px[i] = r.nextInt(256) / 255f;
        }
        return px;
    }

    private static String json(float[]... images) {
        StringBuilder b = new StringBuilder("{\"pixels\": ");
        if (images.length > 1) {
            b.append('[');
        }
        for (int k = 0; k < images.length; k++) {
            b.append(k > 0 ? ",[" : "[");
            for (int i = 0; i < images[k].length; i++) {
                b.append(i > 0 ? "," : "").append(images[k][i]);
            }
            b.append(']');
        }
        return b.append(images.length > 1 ? "]}" : "}").toString();
    }

    private static byte[] png(float[] px) throws IOException {
        BufferedImage img = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
        for (int i = 0; i < 784; i++) {
            img.getRaster().setSample(i % 28, i / 28, 0, Math.round(px[i] * 255));
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "png", out);
        return out.toByteArray();
    }

    private static List<Payload> goodPayloads() throws IOException {
        Random r = new Random(42);
        List<Payload> out = new ArrayList<>();
        for (int i = 0; i < 32; i++) {
            float[] px = image(r);
            out.add(new Payload("json", "/predict", "application/json", json(px).getBytes(StandardCharsets.UTF_8), 200));
            out.add(new Payload("png", "/predict?top_k=3", "image/png", png(px), 200));
            if (i % 4 == 0) {
                out.add(new Payload("batch", "/predict", "application/json",
                        json(px, image(r), image(r), image(r)).getBytes(StandardCharsets.UTF_8), 200));
            }
        }
        return out;
    }

    private static List<Payload> badPayloads() {
        Random r = new Random(7);
        float[] outOfRange = image(r);
        outOfRange[100] = 3f;
        return List.of(
                new Payload("not json", "/predict", "application/json", "{nope".getBytes(StandardCharsets.UTF_8), 400),
                new Payload("wrong length", "/predict", "application/json",
                        "{\"pixels\": [0.1, 0.2]}".getBytes(StandardCharsets.UTF_8), 400),
                new Payload("out of range", "/predict", "application/json",
                        json(outOfRange).getBytes(StandardCharsets.UTF_8), 400),
                new Payload("bad top_k", "/predict?top_k=99", "application/json",
                        json(image(r)).getBytes(StandardCharsets.UTF_8), 400),
                new Payload("not an image", "/predict", "image/png", "GIF89a".getBytes(StandardCharsets.UTF_8), 400),
                new Payload("unsupported type", "/predict", "text/csv", "1,2".getBytes(StandardCharsets.UTF_8), 415),
                new Payload("wrong method", "/predict", null, null, 405),
                new Payload("unknown path", "/nope", null, null, 404));
    }
}
