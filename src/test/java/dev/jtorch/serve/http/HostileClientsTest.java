package dev.jtorch.serve.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jtorch.Torch;
import dev.jtorch.models.Architecture;
import dev.jtorch.serve.Predictor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@link JtorchServer} against clients that stall, trickle, lie and overflow: {@code /health} stays
 * prompt, slow connections are closed by their deadlines, and malformed requests get a 4xx, never a
 * 500.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HostileClientsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path MODEL = Path.of("src/test/resources/python/simple_nn.pt");
    private static final int THREADS = 4;

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private JtorchServer server;
    private int port;

    @BeforeAll
    void start() throws IOException {
        Torch.init();
        Predictor p = Predictor.open(MODEL, Architecture.MLP, Predictor.builder(null).maxBatch(8));
        server = new JtorchServer(p, new JtorchServer.Options().port(0).threads(THREADS).connectionThreads(16)
                .headerTimeout(Duration.ofMillis(800)).bodyTimeout(Duration.ofMillis(800))
                .writeTimeout(Duration.ofSeconds(2)).maxBodyBytes(1 << 20)).start();
        port = server.port();
    }

    @AfterAll
    void stop() {
        if (server != null) {
            server.stop();
        }
    }

    private Socket open() throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        s.setSoTimeout(10_000);
        return s;
    }

    private static void write(Socket s, String text) throws IOException {
        OutputStream o = s.getOutputStream();
        o.write(text.getBytes(StandardCharsets.ISO_8859_1));
        o.flush();
    }

    /** What the server sent before closing: true once it closed (EOF or reset), false if still open after 10 s. */
    private static boolean closedByServer(Socket s, ByteArrayOutputStream got) {
        try {
            InputStream in = s.getInputStream();
            byte[] buf = new byte[4096];
            int n;
            while ((n = in.read(buf)) >= 0) {
                got.write(buf, 0, n);
            }
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true; // reset
        }
    }

    private HttpResponse<String> get(String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> postJson(String pathAndQuery, String body) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + pathAndQuery))
                .timeout(Duration.ofSeconds(10)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String onePixelsJson() throws IOException {
        return JSON.writeValueAsString(Map.of("pixels", new float[784]));
    }

    // ------------------------------------------------------------------ slow clients

    @Test
    void slowClientsNeitherStarveHealthNorHoldThreads() throws Exception {
        long errorsBefore = server.metrics().requests(408);
        List<Socket> slow = new ArrayList<>();
        AtomicBoolean trickling = new AtomicBoolean(true);
        List<Thread> tricklers = new ArrayList<>();
        try {
            // twice as many of each kind as there are handler threads
            for (int i = 0; i < 2 * THREADS; i++) {
                Socket partialHeaders = open();
                write(partialHeaders, "POST /predict HTTP/1.1\r\nHost: x\r\nContent-Ty");
                slow.add(partialHeaders);

                Socket noBody = open();
                write(noBody, "POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                        + "Content-Length: 5000\r\n\r\n{\"pix");
                slow.add(noBody);

                Socket chunked = open();
                write(chunked, "POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                        + "Transfer-Encoding: chunked\r\n\r\n1\r\n{\r\n");
                slow.add(chunked);
                Thread t = new Thread(() -> {
                    // a valid endless body, one byte every 50 ms
                    try {
                        write(chunked, "b\r\n\"pixels\": [\r\n");
                        while (trickling.get()) {
                            write(chunked, "2\r\n0,\r\n");
                            Thread.sleep(50);
                        }
                    } catch (IOException | InterruptedException e) {
                        // closed by the server: what we want
                    }
                });
                t.setDaemon(true);
                t.start();
                tricklers.add(t);
            }
            Thread.sleep(200); // every slow client is being served now

            // health and metrics answer at once, while every handler thread is held by a slow body
            for (String path : new String[] {"/health", "/metrics", "/health"}) {
                long t0 = System.nanoTime();
                HttpResponse<String> r = get(path);
                long ms = (System.nanoTime() - t0) / 1_000_000;
                assertEquals(200, r.statusCode(), r.body());
                assertTrue(ms < 2000, path + " took " + ms + " ms with slow clients connected");
            }

            // every slow connection is closed by the server within its deadline (+ sweep), not held
            long t0 = System.nanoTime();
            for (Socket s : slow) {
                ByteArrayOutputStream got = new ByteArrayOutputStream();
                assertTrue(closedByServer(s, got), "a slow connection is still open after 10 s");
            }
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(ms < 5000, "slow connections closed only after " + ms + " ms");
            for (Thread t : tricklers) {
                t.join(5000);
                assertTrue(!t.isAlive(), "a trickling body was never cut off");
            }
        } finally {
            trickling.set(false);
            for (Socket s : slow) {
                s.close();
            }
        }
        // the handler threads are free again: a real request is answered
        HttpResponse<String> r = postJson("/predict", onePixelsJson());
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(server.metrics().requests(408) - errorsBefore >= 4 * THREADS,
                "slow bodies counted as 408: " + (server.metrics().requests(408) - errorsBefore));
    }

    @Test
    void aClientThatNeverReadsItsAnswersIsCutOff() throws Exception {
        try (Socket s = new Socket()) {
            s.setReceiveBufferSize(1024);
            s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            // pipelined requests whose answers (a few KiB each) overflow both socket buffers
            String one = "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n";
            long t0 = System.nanoTime();
            boolean cut = false;
            try {
                OutputStream o = s.getOutputStream();
                for (int i = 0; i < 20_000 && !cut; i++) {
                    o.write(one.getBytes(StandardCharsets.ISO_8859_1));
                    cut = System.nanoTime() - t0 > 30_000_000_000L;
                }
                o.flush();
                Thread.sleep(3500); // past the 2 s write deadline
                s.setSoTimeout(10_000);
                InputStream in = s.getInputStream();
                byte[] buf = new byte[1 << 16];
                while (in.read(buf) >= 0) {
                    // drain what was sent before the cut
                }
                cut = true;
            } catch (IOException e) {
                cut = true; // reset: the server closed it
            }
            assertTrue(cut, "the connection was never closed");
        }
        assertEquals(200, get("/health").statusCode());
    }

    // ------------------------------------------------------------------ lies and malformed requests

    /** Sends raw bytes and returns the first line of the answer (empty when the server just closed). */
    private String raw(String request) throws IOException {
        try (Socket s = open()) {
            try {
                write(s, request);
            } catch (java.net.SocketException e) {
                // the server reset the connection while an oversized request was still being sent:
                // it closed without an answer (seen once in CI with the oversized header)
                return "";
            }
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            closedOrAnswered(s, got);
            String text = got.toString(StandardCharsets.ISO_8859_1);
            int nl = text.indexOf("\r\n");
            return nl < 0 ? text : text.substring(0, nl);
        }
    }

    private static void closedOrAnswered(Socket s, ByteArrayOutputStream got) throws IOException {
        InputStream in = s.getInputStream();
        byte[] buf = new byte[4096];
        try {
            int n;
            while ((n = in.read(buf)) >= 0) {
                got.write(buf, 0, n);
                if (got.toString(StandardCharsets.ISO_8859_1).contains("\r\n\r\n")) {
                    break;
                }
            }
        } catch (SocketTimeoutException e) {
            throw e;
        } catch (IOException e) {
            // reset after or instead of an answer
        }
    }

    @Test
    void framingLiesAreRefusedByStatusNotByAHang() throws Exception {
        String post = "POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n";
        assertTrue(raw(post + "Transfer-Encoding: gzip\r\n\r\n").contains(" 501"), "unknown Transfer-Encoding");
        assertTrue(raw("POST /predict?top_k=%zz HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n").contains(" 400"),
                "a malformed %-escape");
        assertTrue(raw(post + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n").contains(" 400"),
                "Content-Length with Transfer-Encoding");
        assertTrue(raw(post + "Content-Length: -5\r\n\r\n").contains(" 400"), "negative Content-Length");
        assertTrue(raw(post + "Content-Length: 5\r\nContent-Length: 6\r\n\r\n").contains(" 400"),
                "two Content-Lengths");
        assertTrue(raw(post + "Content-Length: 99999999999999999999\r\n\r\n").contains(" 400"),
                "Content-Length over a long");
        assertTrue(raw(post + "Content-Length: 9223372036854775807\r\n\r\n").contains(" 413"),
                "a huge declared body is refused unread");
        // a Content-Length shorter than the body: the body is cut there and parsed as such
        String body = onePixelsJson();
        assertTrue(raw(post + "Content-Length: 20\r\n\r\n" + body).contains(" 400"), "short Content-Length");
        // too many headers: the JDK closes the connection, and the server goes on
        StringBuilder many = new StringBuilder("GET /health HTTP/1.1\r\n");
        for (int i = 0; i < 2 * JtorchServer.MAX_REQUEST_HEADERS; i++) {
            many.append("X-H").append(i).append(": v\r\n");
        }
        assertTrue(!raw(many + "\r\n").contains(" 200"), "too many headers answered");
        StringBuilder big = new StringBuilder("GET /health HTTP/1.1\r\nX-Big: ");
        big.append("a".repeat(2 * JtorchServer.MAX_REQUEST_HEADER_BYTES)).append("\r\n\r\n");
        assertTrue(!raw(big.toString()).contains(" 200"), "an oversized header answered");
        assertEquals(200, get("/health").statusCode());
    }

    @Test
    void hostileQueriesAndBodiesGet400NeverA500() throws Exception {
        String px = onePixelsJson();
        for (String q : new String[] {"?top_k=%E2%82", "?top_k=99999999999999", "?top_k=-2147483648", "?top_k=1&top_k=2",
            "?top_k=" + "9".repeat(5000), "?top_k=0x5"}) {
            HttpResponse<String> r = postJson("/predict" + q, px);
            assertEquals(400, r.statusCode(), q + ": " + r.body());
            assertTrue(r.body().length() < 400, "the error echoes too much: " + r.body().length());
        }
        String[][] bad = {
            {"{\"pixels\": " + "[".repeat(5000) + "}", "pixels[0][0] is not a number: an array"},
            {"{\"x\": " + "[".repeat(5000) + "], \"pixels\": []}", "nesting depth"},
            {"{\"pixels\": [" + "1".repeat(2000) + "]}", "Number value length"},
            // an ignored long string is skipped unread (no memory); a long key is refused
            {"{\"note\": \"" + "a".repeat(100_000) + "\", \"pixels\": []}", "pixels has 0 values"},
            {"{\"" + "k".repeat(100_000) + "\": 1, \"pixels\": []}", "exceeds the maximum"},
            {px.replace("]}", "], \"pixels\": [0.5]}"), "twice"},
            {px + " {}", "after the closing"},
            {px.replace("[0.0,", "[-1e308,"), "outside [0, 1]"},
            {px.replace("[0.0,", "[-1e999,"), "not finite"},
            {px.replace("[0.0,", "[null,"), "pixels[0] is not a number: null"},
            {px.replace("[0.0,", "[{\"a\":1},"), "pixels[0] is not a number: an object"},
            {px.replace("[0.0,", "[0.0,0.0,0.0,"), "has 786 values, expected 784"},
            {px.replace("[0.0,", "[NaN,"), "not valid JSON"},
            {"{\"pixels\": [[0.5], 7]}", "pixels[0] has 1 values"},
            {"{\"pixels\": \"abc\"}", "must be an array"},
        };
        for (String[] b : bad) {
            HttpResponse<String> r = postJson("/predict", b[0]);
            assertEquals(400, r.statusCode(), r.body());
            assertTrue(JSON.readTree(r.body()).get("error").asText().contains(b[1]), b[1] + " not in " + r.body());
        }
        HttpResponse<String> bomb = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/predict"))
                .header("Content-Type", "image/png")
                .POST(HttpRequest.BodyPublishers.ofByteArray(dev.jtorch.data.ImageLimitsTest.pngDeclaring(46000, 46000))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(400, bomb.statusCode(), bomb.body());
        assertTrue(bomb.body().contains("request body") && bomb.body().contains("46000x46000")
                && bomb.body().contains("limit"), bomb.body());
        assertEquals(0, server.metrics().requests(500));
        assertEquals(200, postJson("/predict", px).statusCode());
    }
}
