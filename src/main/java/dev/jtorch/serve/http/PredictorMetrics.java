package dev.jtorch.serve.http;

import dev.jtorch.serve.Predictor;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.ToLongFunction;

/**
 * The {@link Predictor.Stats} part of {@code /metrics}, one sample per served model labelled
 * {@code model="NAME"}: the one place that knows that record's fields, so that a change there
 * touches only this class.
 */
final class PredictorMetrics {
    private PredictorMetrics() {}

    static void render(StringBuilder b, Map<String, Predictor> models) {
        Map<String, Predictor.Stats> stats = new LinkedHashMap<>();
        models.forEach((name, p) -> stats.put(name, p.stats()));
        counter(b, stats, "jtorch_predict_requests_total", "Requests the predictor queued (a batch is one).",
                Predictor.Stats::requests);
        counter(b, stats, "jtorch_predict_images_total", "Images in those requests.", Predictor.Stats::images);
        counter(b, stats, "jtorch_batches_total", "Forward passes (batches) run.", Predictor.Stats::batches);
        counter(b, stats, "jtorch_predict_errors_total", "Requests failed by their forward pass.",
                Predictor.Stats::errors);
        counter(b, stats, "jtorch_rejected_total", "Requests refused: queue full or predictor closed.",
                Predictor.Stats::rejected);
        counter(b, stats, "jtorch_timeouts_total", "Requests that ran past the predictor's timeout.",
                Predictor.Stats::timeouts);
        counter(b, stats, "jtorch_invalid_total", "Requests the predictor refused for bad input.",
                Predictor.Stats::invalid);
        b.append("# HELP jtorch_queue_depth Requests waiting for a batch now.\n# TYPE jtorch_queue_depth gauge\n");
        stats.forEach((name, s) -> sample(b, "jtorch_queue_depth", name, "", s.queueDepth()));

        // batch sizes as a histogram with power-of-two buckets up to the largest batch allowed
        b.append("# HELP jtorch_batch_size Images (or stacked rows) per forward pass.\n"
                + "# TYPE jtorch_batch_size histogram\n");
        stats.forEach((name, s) -> {
            long sum = 0;
            for (Map.Entry<Integer, Long> e : s.batchSizes().entrySet()) {
                sum += (long) e.getKey() * e.getValue();
            }
            int max = Math.max(1, models.get(name).maxBatch());
            for (int le = 1; ; le = Math.min(max, le * 2)) {
                long cumulative = 0;
                for (Map.Entry<Integer, Long> e : s.batchSizes().entrySet()) {
                    if (e.getKey() <= le) {
                        cumulative += e.getValue();
                    }
                }
                sample(b, "jtorch_batch_size_bucket", name, ",le=\"" + le + "\"", cumulative);
                if (le >= max) {
                    break;
                }
            }
            sample(b, "jtorch_batch_size_bucket", name, ",le=\"+Inf\"", s.batches());
            sample(b, "jtorch_batch_size_sum", name, "", sum);
            sample(b, "jtorch_batch_size_count", name, "", s.batches());
        });

        b.append("# HELP jtorch_predict_latency_seconds Queue-to-result time of completed requests (quantiles over"
                + " the latest 4096).\n# TYPE jtorch_predict_latency_seconds summary\n");
        stats.forEach((name, s) -> {
            Predictor.Latency l = s.latency();
            sample(b, "jtorch_predict_latency_seconds", name, ",quantile=\"0.5\"", l.p50Ms() / 1e3);
            sample(b, "jtorch_predict_latency_seconds", name, ",quantile=\"0.9\"", l.p90Ms() / 1e3);
            sample(b, "jtorch_predict_latency_seconds", name, ",quantile=\"0.99\"", l.p99Ms() / 1e3);
            sample(b, "jtorch_predict_latency_seconds_sum", name, "", l.meanMs() * l.count() / 1e3);
            sample(b, "jtorch_predict_latency_seconds_count", name, "", l.count());
        });
    }

    private static void counter(StringBuilder b, Map<String, Predictor.Stats> stats, String metric, String help,
                                ToLongFunction<Predictor.Stats> value) {
        b.append("# HELP ").append(metric).append(' ').append(help).append('\n');
        b.append("# TYPE ").append(metric).append(" counter\n");
        stats.forEach((name, s) -> sample(b, metric, name, "", value.applyAsLong(s)));
    }

    /** One sample; model names are plain path segments (checked by the server), so need no escaping. */
    private static void sample(StringBuilder b, String metric, String model, String moreLabels, double v) {
        b.append(metric).append("{model=\"").append(model).append('"').append(moreLabels).append("} ")
                .append(ServerMetrics.num(v)).append('\n');
    }
}
