package dev.jtorch.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jtorch.DType;
import dev.jtorch.Device;
import dev.jtorch.tensor.Shape;
import dev.jtorch.tensor.Tensor;
import dev.jtorch.tensor.TensorScope;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import dev.jtorch.NoLeaks;

/** The {@code eval --json} object's field names and structure, and the {@link Evaluator}'s lifecycle. */
@ExtendWith(NoLeaks.class)
class EvalReportTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private static EvalReport evaluate(double temperature) {
        try (Evaluator ev = new Evaluator(List.of("cat", "dog", "bird"), temperature);
                TensorScope s = TensorScope.open()) {
            ev.update(Tensor.of(new float[] {3, 1, 0, 0, 2, 1, 1, 0, 4, 2, 1, 0}, 4, 3), Tensor.of(new long[] {0, 1, 2, 1}, 4));
            ev.update(Tensor.of(new float[] {0, 0, 5}, 1, 3), Tensor.of(new long[] {0}, 1));
            assertEquals(5, ev.samples());
            return ev.report();
        }
    }

    private static List<String> names(JsonNode o) {
        List<String> out = new ArrayList<>();
        for (Iterator<String> it = o.fieldNames(); it.hasNext(); ) {
            out.add(it.next());
        }
        return out;
    }

    @Test
    void jsonHasExactlyTheContractFields() throws Exception {
        EvalReport r = evaluate(2.0);
        String json = r.toJson();
        assertFalse(json.contains("\n"), "one line");
        JsonNode o = MAPPER.readTree(json);
        assertEquals(List.of("samples", "accuracy", "top5_accuracy", "nll", "ece", "macro", "weighted", "micro", "per_class",
                "confusion_matrix", "calibration"), names(o));
        for (String avg : List.of("macro", "weighted", "micro")) {
            assertEquals(List.of("precision", "recall", "f1"), names(o.get(avg)), avg);
        }
        assertEquals(3, o.get("per_class").size());
        JsonNode c1 = o.get("per_class").get(1);
        assertEquals(List.of("class", "label", "precision", "recall", "f1", "support"), names(c1));
        assertEquals(1, c1.get("class").asInt());
        assertEquals("dog", c1.get("label").asText());
        assertEquals(2, c1.get("support").asLong());
        assertTrue(c1.get("support").isIntegralNumber());
        assertEquals(List.of("temperature", "nll_before", "nll_after", "ece_before", "ece_after"), names(o.get("calibration")));
        assertEquals(2.0, o.get("calibration").get("temperature").asDouble());
        assertEquals(o.get("nll").asDouble(), o.get("calibration").get("nll_before").asDouble());
        assertEquals(o.get("ece").asDouble(), o.get("calibration").get("ece_before").asDouble());
        assertEquals(5, o.get("samples").asLong());
        // rows = true class, columns = predicted: sample (true 0, pred 2) is at [0][2]
        JsonNode cm = o.get("confusion_matrix");
        assertEquals("[[1,0,1],[1,1,0],[0,0,1]]", cm.toString());
        assertEquals(0.6, o.get("accuracy").asDouble(), 1e-15);
        assertEquals(1.0, o.get("top5_accuracy").asDouble(), "3 classes: every sample is a top-5 hit");
        assertEquals(r, EvalReport.fromJson(json), "round trip");
        assertTrue(r.toPrettyJson().contains("\n  \"top5_accuracy\""));
    }

    @Test
    void calibrationIsOmittedWithoutTemperature() throws Exception {
        EvalReport r = evaluate(Double.NaN);
        assertNull(r.calibration());
        assertTrue(r.calibrationIfFitted().isEmpty());
        JsonNode o = MAPPER.readTree(r.toJson());
        assertFalse(o.has("calibration"));
        assertEquals(10, names(o).size());
        assertEquals(r, EvalReport.fromJson(r.toJson()));
        assertThrows(IllegalArgumentException.class, () -> EvalReport.fromJson("{\"samples\": \"many\"}"));
    }

    @Test
    void reportIsImmutable() {
        EvalReport r = evaluate(Double.NaN);
        r.confusionMatrix()[0][0] = 99;
        assertEquals(1, r.confusionMatrix()[0][0]);
        assertThrows(UnsupportedOperationException.class, () -> r.perClass().clear());
    }

    @Test
    void evaluatorErrorsAndLifecycle() {
        Evaluator ev = new Evaluator(3);
        assertEquals(OptionalDouble.empty(), ev.temperature());
        assertEquals(List.of("0", "1", "2"), ev.labels());
        IllegalStateException none = assertThrows(IllegalStateException.class, ev::report);
        assertTrue(none.getMessage().contains("no samples"));
        try (TensorScope s = TensorScope.open()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> ev.update(Tensor.zeros(2, 4), Tensor.of(new long[] {0, 1}, 2)));
            assertTrue(e.getMessage().contains("[2, 4]") && e.getMessage().contains("expected 3"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> ev.update(Tensor.zeros(2, 3), Tensor.of(new long[] {0, 3}, 2)));
            assertTrue(e.getMessage().contains("class 3"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> ev.update(Tensor.zeros(2, 3), Tensor.zeros(2)));
            assertTrue(e.getMessage().contains("integer"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> ev.update(Tensor.zeros(6), Tensor.of(new long[] {0}, 1)));
            assertTrue(e.getMessage().contains("[N, C]"), e.getMessage());
            assertEquals(0, ev.samples(), "failed batches add nothing");
            ev.update(Tensor.zeros(0, 3), Tensor.zeros(Shape.of(0), DType.INT64, Device.CPU));
            ev.update(Tensor.zeros(2, 3).requiresGrad(true), Tensor.of(new long[] {0, 1}, 2));
            assertEquals(2, ev.samples());
            EvalReport r = ev.report();
            assertEquals(Math.log(3), r.nll(), 1e-12);
            assertEquals(0.5, r.accuracy(), "ties go to the first class, as argmax does");
        }
        ev.close();
        ev.close();
        assertThrows(IllegalStateException.class, ev::report);
        assertThrows(IllegalArgumentException.class, () -> new Evaluator(0));
        assertThrows(IllegalArgumentException.class, () -> new Evaluator(List.of("a"), -1.0));
        assertThrows(IllegalArgumentException.class, () -> new Evaluator(List.of()));
    }

    @Test
    void manyBatchesGrowTheBuffers() {
        try (Evaluator ev = new Evaluator(List.of("a", "b"), 1.5)) {
            for (int i = 0; i < 30; i++) {
                try (TensorScope s = TensorScope.open()) {
                    ev.update(Tensor.rand(100, 2), Tensor.rand(100).mul(2).to(dev.jtorch.DType.INT64));
                }
            }
            EvalReport r = ev.report();
            assertEquals(3000, r.samples());
            long sum = 0;
            for (long[] row : r.confusionMatrix()) {
                for (long v : row) {
                    sum += v;
                }
            }
            assertEquals(3000, sum);
            assertEquals(r.perClass().get(0).support() + r.perClass().get(1).support(), 3000);
        }
    }
}
