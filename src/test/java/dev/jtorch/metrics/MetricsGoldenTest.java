package dev.jtorch.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jtorch.DType;
import dev.jtorch.Device;
import dev.jtorch.Fixtures;
import dev.jtorch.tensor.Shape;
import dev.jtorch.tensor.Tensor;
import dev.jtorch.tensor.TensorScope;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.extension.ExtendWith;
import dev.jtorch.NoLeaks;

/** The metrics against scikit-learn / PyTorch / numpy values in {@code metrics.json}. */
@ExtendWith(NoLeaks.class)
class MetricsGoldenTest {
    private static final JsonNode FIX = Fixtures.load("metrics.json");
    private static final double EPS = 1e-12;

    static Stream<Arguments> classification() {
        return Fixtures.list(FIX.get("classification")).stream()
                .map(c -> Arguments.of(Named.of(c.get("name").asText(), c)));
    }

    static long[] longs(JsonNode a) {
        long[] out = new long[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).asLong();
        }
        return out;
    }

    static double[] doubles(JsonNode a) {
        double[] out = new double[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).asDouble();
        }
        return out;
    }

    static long[][] matrix(JsonNode a) {
        long[][] out = new long[a.size()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = longs(a.get(i));
        }
        return out;
    }

    /** Row-major [N, C] logits from a JSON list of rows. */
    static double[] rows(JsonNode a) {
        int n = a.size(), c = a.get(0).size();
        double[] out = new double[n * c];
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < c; k++) {
                out[i * c + k] = a.get(i).get(k).asDouble();
            }
        }
        return out;
    }

    static List<String> labels(int c) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < c; i++) {
            out.add("class " + i);
        }
        return out;
    }

    static void assertAverages(JsonNode expected, Averages actual, String what) {
        assertEquals(expected.get("precision").asDouble(), actual.precision(), EPS, what + " precision");
        assertEquals(expected.get("recall").asDouble(), actual.recall(), EPS, what + " recall");
        assertEquals(expected.get("f1").asDouble(), actual.f1(), EPS, what + " f1");
    }

    static void assertPerClass(JsonNode expected, List<ClassMetrics> actual, List<String> labels) {
        JsonNode pc = expected.get("per_class");
        double[] p = doubles(pc.get("precision")), r = doubles(pc.get("recall")), f = doubles(pc.get("f1"));
        long[] s = longs(pc.get("support"));
        assertEquals(p.length, actual.size());
        for (int k = 0; k < p.length; k++) {
            ClassMetrics m = actual.get(k);
            assertEquals(k, m.classIndex());
            assertEquals(labels.get(k), m.label());
            assertEquals(p[k], m.precision(), EPS, "precision of class " + k);
            assertEquals(r[k], m.recall(), EPS, "recall of class " + k);
            assertEquals(f[k], m.f1(), EPS, "f1 of class " + k);
            assertEquals(s[k], m.support(), "support of class " + k);
        }
    }

    @ParameterizedTest
    @MethodSource("classification")
    void reportMatchesSklearn(JsonNode c) {
        int nc = c.get("num_classes").asInt();
        long[][] cm = matrix(c.get("confusion_matrix"));
        ClassificationReport r = ClassificationReport.of(cm, labels(nc));
        assertEquals(c.get("accuracy").asDouble(), r.accuracy(), EPS);
        assertEquals(c.get("y_true").size(), r.samples());
        assertPerClass(c, r.perClass(), labels(nc));
        assertAverages(c.get("macro"), r.macro(), "macro");
        assertAverages(c.get("weighted"), r.weighted(), "weighted");
        assertAverages(c.get("micro"), r.micro(), "micro");
    }

    @ParameterizedTest
    @MethodSource("classification")
    void deviceConfusionMatrixMatchesSklearn(JsonNode c) {
        int nc = c.get("num_classes").asInt();
        long[] t = longs(c.get("y_true")), p = longs(c.get("y_pred"));
        try (ConfusionMatrix m = new ConfusionMatrix(nc)) {
            // feed it in uneven batches
            int[] cuts = {0, 1, t.length / 3, t.length / 2, t.length};
            try (TensorScope s = TensorScope.open()) {
                Tensor tt = Tensor.of(t, t.length), pp = Tensor.of(p, p.length);
                for (int i = 0; i + 1 < cuts.length; i++) {
                    m.update(pp.slice(0, cuts[i], cuts[i + 1]), tt.slice(0, cuts[i], cuts[i + 1]));
                }
            }
            assertArrayEquals(matrix(c.get("confusion_matrix")), m.counts());
            assertEquals(t.length, m.total());
            assertAverages(c.get("macro"), m.report(null).macro(), "macro");
        }
    }

    @Test
    void logitMetricsMatchTorchAndNumpy() {
        JsonNode l = FIX.get("logits");
        int c = l.get("num_classes").asInt();
        double[] z = rows(l.get("test_logits"));
        long[] y = longs(l.get("test_labels"));
        for (DType dt : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            try (TensorScope s = TensorScope.open()) {
                // the fixture's logits are float32 values, so float32 tensors hold them exactly
                Tensor logits = Tensor.of(z, Shape.of(y.length, c), dt, Device.CPU);
                Tensor labels = Tensor.of(y, y.length);
                assertEquals(l.get("nll").asDouble(), Metrics.nll(logits, labels), 1e-12, "nll " + dt);
                assertEquals(l.get("top5_accuracy").asDouble(), Metrics.topKAccuracy(logits, labels, 5), 0, "top5 " + dt);
                assertEquals(l.get("top3_accuracy").asDouble(), Metrics.topKAccuracy(logits, labels, 3), 0, "top3 " + dt);
                assertEquals(l.get("report").get("accuracy").asDouble(), Metrics.accuracy(logits, labels), 1e-15);
                assertEquals(l.get("ece").asDouble(), Metrics.ece(logits, labels), 1e-12, "ece " + dt);
                assertEquals(1.0, Metrics.topKAccuracy(logits, labels, 50), 0, "k > C counts every sample");
            }
        }
    }

    @Test
    void temperatureMatchesTorchLbfgs() {
        JsonNode l = FIX.get("logits");
        int c = l.get("num_classes").asInt();
        double[] z = rows(l.get("val_logits"));
        long[] y = longs(l.get("val_labels"));
        try (TensorScope s = TensorScope.open()) {
            Tensor logits = Tensor.of(z, Shape.of(y.length, c), DType.FLOAT32, Device.CPU);
            Tensor labels = Tensor.of(y, y.length);
            double t = TemperatureScaling.fit(logits, labels);
            assertEquals(l.get("temperature").asDouble(), t, 1e-11 * t, "temperature (LBFGS, Newton-polished)");
            assertEquals(l.get("temperature_lbfgs").asDouble(), t, 1e-8 * t, "temperature (plain LBFGS)");
            // float64 logits, so that dividing by T does not round to float32
            Tensor logits64 = logits.to(DType.FLOAT64);
            assertEquals(l.get("val_nll_at_temperature").asDouble(),
                    Metrics.nll(TemperatureScaling.apply(logits64, t), labels), 1e-12);
            assertEquals(DType.FLOAT32, TemperatureScaling.apply(logits, t).dtype(), "apply keeps the dtype");
            // deterministic: the same input gives the same bits
            assertEquals(Double.doubleToLongBits(t), Double.doubleToLongBits(TemperatureScaling.fit(logits, labels)));
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 7, 64, 1000})
    void evaluatorReportMatchesFixture(int batch) {
        JsonNode l = FIX.get("logits");
        int c = l.get("num_classes").asInt();
        double[] zv = rows(l.get("val_logits")), zt = rows(l.get("test_logits"));
        long[] yv = longs(l.get("val_labels")), yt = longs(l.get("test_labels"));
        List<String> names = labels(c);
        EvalReport r;
        Evaluator ev;
        try (TensorScope s = TensorScope.open()) {
            ev = Evaluator.calibrated(names, Tensor.of(zv, Shape.of(yv.length, c), DType.FLOAT32, Device.CPU),
                    Tensor.of(yv, yv.length));
        }
        try (ev) {
            for (int from = 0; from < yt.length; from += batch) {
                int to = Math.min(yt.length, from + batch);
                try (TensorScope s = TensorScope.open()) {
                    Tensor logits = Tensor.of(zt, Shape.of(yt.length, c), DType.FLOAT32, Device.CPU).slice(0, from, to);
                    // int32 labels are accepted and converted
                    Tensor labels = Tensor.of(yt, Shape.of(yt.length), DType.INT32, Device.CPU).slice(0, from, to);
                    ev.update(logits, labels);
                }
            }
            r = ev.report();
        }
        JsonNode rep = l.get("report");
        assertEquals(yt.length, r.samples());
        assertEquals(rep.get("accuracy").asDouble(), r.accuracy(), EPS);
        assertEquals(l.get("top5_accuracy").asDouble(), r.top5Accuracy(), EPS);
        assertEquals(l.get("nll").asDouble(), r.nll(), 1e-12);
        assertEquals(l.get("ece").asDouble(), r.ece(), 1e-12);
        assertArrayEquals(matrix(rep.get("confusion_matrix")), r.confusionMatrix());
        assertPerClass(rep, r.perClass(), names);
        assertAverages(rep.get("macro"), r.macro(), "macro");
        assertAverages(rep.get("weighted"), r.weighted(), "weighted");
        assertAverages(rep.get("micro"), r.micro(), "micro");
        Calibration cal = r.calibration();
        assertNotNull(cal);
        JsonNode ec = l.get("calibration");
        assertEquals(ec.get("temperature").asDouble(), cal.temperature(), 1e-9 * cal.temperature());
        assertEquals(ec.get("nll_before").asDouble(), cal.nllBefore(), 1e-12);
        assertEquals(ec.get("nll_after").asDouble(), cal.nllAfter(), 1e-9);
        assertEquals(ec.get("ece_before").asDouble(), cal.eceBefore(), 1e-12);
        assertEquals(ec.get("ece_after").asDouble(), cal.eceAfter(), 1e-9);
        assertTrue(cal.nllAfter() < cal.nllBefore() && cal.eceAfter() < cal.eceBefore());
    }

    @Test
    void eceBinningEdgesMatchNumpy() {
        JsonNode e = FIX.get("ece_edges");
        double[] conf = doubles(e.get("confidence"));
        long[] bins = longs(e.get("bins"));
        boolean[] ok = new boolean[conf.length];
        for (int i = 0; i < conf.length; i++) {
            ok[i] = e.get("correct").get(i).asBoolean();
            assertEquals(bins[i], Metrics.eceBin(conf[i]), "bin of confidence " + conf[i]);
        }
        assertEquals(e.get("ece").asDouble(), Metrics.ece(conf, ok), 1e-15);
        assertEquals(15, FIX.get("ece_bins").asInt());
        assertEquals(Metrics.ECE_BINS, FIX.get("ece_bins").asInt());
    }
}
