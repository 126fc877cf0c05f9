package dev.jtorch.serve.http;

import dev.jtorch.Torch;
import dev.jtorch.cuda.Cuda;
import dev.jtorch.serve.Predictor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The server's counters and their Prometheus text exposition ({@code GET /metrics}): requests by
 * status code, errors, a request-latency histogram, the predictor's batching and queue figures,
 * native handles, resident memory and, on CUDA, allocated device memory.
 *
 * <p>Thread-safe: handler threads record concurrently ({@link LongAdder}s, no locks).
 */
public final class ServerMetrics {
    /** Latency bucket upper bounds in seconds (Prometheus {@code le} labels). */
    static final double[] BUCKETS = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

    private final Map<Integer, LongAdder> byCode = new ConcurrentHashMap<>();
    private final LongAdder errors = new LongAdder();
    private final LongAdder[] latencyBuckets = new LongAdder[BUCKETS.length + 1];
    private final LongAdder latencyCount = new LongAdder();
    private final LongAdder latencyNanos = new LongAdder();

    ServerMetrics() {
        for (int i = 0; i < latencyBuckets.length; i++) {
            latencyBuckets[i] = new LongAdder();
        }
    }

    /** Records one answered request. */
    void record(int status, long nanos) {
        byCode.computeIfAbsent(status, k -> new LongAdder()).increment();
        if (status >= 400) {
            errors.increment();
        }
        double s = nanos / 1e9;
        int i = 0;
        while (i < BUCKETS.length && s > BUCKETS[i]) {
            i++;
        }
        latencyBuckets[i].increment();
        latencyCount.increment();
        latencyNanos.add(nanos);
    }

    /** Requests answered with {@code status} so far. */
    public long requests(int status) {
        LongAdder a = byCode.get(status);
        return a == null ? 0 : a.sum();
    }

    /** Requests answered with a 4xx or 5xx status so far. */
    public long errors() {
        return errors.sum();
    }

    /** The Prometheus text exposition (format 0.0.4). */
    String render(Map<String, Predictor> models) {
        StringBuilder b = new StringBuilder(2048);
        b.append("# HELP jtorch_requests_total HTTP requests answered, by status code.\n");
        b.append("# TYPE jtorch_requests_total counter\n");
        new TreeMap<>(byCode).forEach((code, n) ->
                b.append("jtorch_requests_total{code=\"").append(code).append("\"} ").append(n.sum()).append('\n'));
        counter(b, "jtorch_request_errors_total", "HTTP requests answered with a 4xx or 5xx status.", errors.sum());

        b.append("# HELP jtorch_request_duration_seconds Time from request to answer.\n");
        b.append("# TYPE jtorch_request_duration_seconds histogram\n");
        long cumulative = 0;
        for (int i = 0; i < BUCKETS.length; i++) {
            cumulative += latencyBuckets[i].sum();
            b.append("jtorch_request_duration_seconds_bucket{le=\"").append(num(BUCKETS[i])).append("\"} ")
                    .append(cumulative).append('\n');
        }
        cumulative += latencyBuckets[BUCKETS.length].sum();
        b.append("jtorch_request_duration_seconds_bucket{le=\"+Inf\"} ").append(cumulative).append('\n');
        b.append("jtorch_request_duration_seconds_sum ").append(num(latencyNanos.sum() / 1e9)).append('\n');
        b.append("jtorch_request_duration_seconds_count ").append(latencyCount.sum()).append('\n');

        PredictorMetrics.render(b, models);

        gauge(b, "jtorch_native_handles", "Live libtorch handles (Torch.liveHandles()).", Torch.liveHandles());
        long rss = rssBytes();
        if (rss >= 0) {
            gauge(b, "jtorch_rss_bytes", "Resident set size of the process (VmRSS).", rss);
        }
        java.util.SortedSet<Integer> gpus = new java.util.TreeSet<>();
        for (Predictor p : models.values()) {
            if (p.device().isCuda()) {
                gpus.add(Math.max(0, p.device().index()));
            }
        }
        if (!gpus.isEmpty() && Cuda.isAvailable()) {
            b.append("# HELP jtorch_cuda_allocated_bytes CUDA memory held by tensors, per serving device.\n");
            b.append("# TYPE jtorch_cuda_allocated_bytes gauge\n");
            for (int g : gpus) {
                b.append("jtorch_cuda_allocated_bytes{device=\"cuda:").append(g).append("\"} ")
                        .append(num(Cuda.allocatedBytes(g))).append('\n');
            }
        }
        return b.toString();
    }

    static void counter(StringBuilder b, String name, String help, long v) {
        b.append("# HELP ").append(name).append(' ').append(help).append('\n');
        b.append("# TYPE ").append(name).append(" counter\n");
        b.append(name).append(' ').append(v).append('\n');
    }

    static void gauge(StringBuilder b, String name, String help, double v) {
        b.append("# HELP ").append(name).append(' ').append(help).append('\n');
        b.append("# TYPE ").append(name).append(" gauge\n");
        b.append(name).append(' ').append(num(v)).append('\n');
    }

    static String num(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : String.format(Locale.ROOT, "%s", v);
    }

    /**
     * This process's resident set size from {@code /proc/self/status} ({@code VmRSS}, in kB), or -1
     * where there is no procfs (not Linux).
     */
    public static long rssBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"), StandardCharsets.ISO_8859_1)) {
                if (line.startsWith("VmRSS:")) {
                    String[] parts = line.substring(6).trim().split("\\s+");
                    return Long.parseLong(parts[0]) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}
