package dev.jtorch.serve.http;

import dev.jtorch.serve.Predictor;
import java.util.Map;

/**
 * The {@link Predictor.Stats} part of {@code /metrics}: the one place that knows that record's
 * fields, so that a change there touches only this class.
 */
final class PredictorMetrics {
    private PredictorMetrics() {}

    static void render(StringBuilder b, Predictor predictor) {
        Predictor.Stats s = predictor.stats();
        ServerMetrics.counter(b, "jtorch_predict_requests_total", "Requests the predictor queued (a batch is one).", s.requests());
        ServerMetrics.counter(b, "jtorch_predict_images_total", "Images in those requests.", s.images());
        ServerMetrics.counter(b, "jtorch_batches_total", "Forward passes (batches) run.", s.batches());
        ServerMetrics.counter(b, "jtorch_predict_errors_total", "Requests failed by their forward pass.", s.errors());
        ServerMetrics.counter(b, "jtorch_rejected_total", "Requests refused: queue full or predictor closed.", s.rejected());
        ServerMetrics.counter(b, "jtorch_timeouts_total", "Requests that ran past the predictor's timeout.", s.timeouts());
        ServerMetrics.counter(b, "jtorch_invalid_total", "Requests the predictor refused for bad input.", s.invalid());
        ServerMetrics.gauge(b, "jtorch_queue_depth", "Requests waiting for a batch now.", s.queueDepth());

        // batch sizes as a histogram with power-of-two buckets up to the largest batch allowed
        b.append("# HELP jtorch_batch_size Images per forward pass.\n# TYPE jtorch_batch_size histogram\n");
        long cumulative = 0;
        long sum = 0;
        int le = 1;
        int max = Math.max(1, predictor.maxBatch());
        for (Map.Entry<Integer, Long> e : s.batchSizes().entrySet()) {
            sum += (long) e.getKey() * e.getValue();
        }
        while (true) {
            cumulative = 0;
            for (Map.Entry<Integer, Long> e : s.batchSizes().entrySet()) {
                if (e.getKey() <= le) {
                    cumulative += e.getValue();
                }
            }
            b.append("jtorch_batch_size_bucket{le=\"").append(le).append("\"} ").append(cumulative).append('\n');
            if (le >= max) {
                break;
            }
            le = Math.min(max, le * 2);
        }
        b.append("jtorch_batch_size_bucket{le=\"+Inf\"} ").append(s.batches()).append('\n');
        b.append("jtorch_batch_size_sum ").append(sum).append('\n');
        b.append("jtorch_batch_size_count ").append(s.batches()).append('\n');

        Predictor.Latency l = s.latency();
        b.append("# HELP jtorch_predict_latency_seconds Queue-to-result time of completed requests (quantiles over"
                + " the latest 4096).\n# TYPE jtorch_predict_latency_seconds summary\n");
        b.append("jtorch_predict_latency_seconds{quantile=\"0.5\"} ").append(l.p50Ms() / 1e3).append('\n');
        b.append("jtorch_predict_latency_seconds{quantile=\"0.9\"} ").append(l.p90Ms() / 1e3).append('\n');
        b.append("jtorch_predict_latency_seconds{quantile=\"0.99\"} ").append(l.p99Ms() / 1e3).append('\n');
        b.append("jtorch_predict_latency_seconds_sum ").append(l.meanMs() * l.count() / 1e3).append('\n');
        b.append("jtorch_predict_latency_seconds_count ").append(l.count()).append('\n');
    }
}
