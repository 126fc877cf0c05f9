package dev.jtorch.serve;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jtorch.DType;
import dev.jtorch.io.ScriptModule;
import dev.jtorch.io.Trust;
import dev.jtorch.models.Architecture;
import dev.jtorch.nn.Linear;
import dev.jtorch.tensor.Tensor;
import dev.jtorch.tensor.TensorScope;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** {@link Predictor#infer}: named tensors of any dtype and shape in, any tensor results out. */
class PredictorTensorsTest {
    private static final Path TS = Path.of("src/test/resources/torchscript");
    private static final ObjectMapper JSON = new ObjectMapper();

    private static long[] longs(JsonNode n) {
        List<Long> out = new ArrayList<>();
        n.forEach(row -> row.forEach(v -> out.add(v.asLong())));
        return out.stream().mapToLong(Long::longValue).toArray();
    }

    private static float[] floats(JsonNode n) {
        List<Float> out = new ArrayList<>();
        n.forEach(v -> {
            if (v.isArray()) {
                v.forEach(w -> out.add((float) w.asDouble()));
            } else {
                out.add((float) v.asDouble());
            }
        });
        float[] f = new float[out.size()];
        for (int i = 0; i < f.length; i++) {
            f[i] = out.get(i);
        }
        return f;
    }

    @Test
    void int64TokensThroughATorchScriptTransformerMatchPyTorch() throws IOException {
        JsonNode expected = JSON.readTree(TS.resolve("token_transformer.json").toFile());
        TensorSpec tokens = new TensorSpec("tokens", DType.INT64, new long[] {-1, -1});
        try (Predictor p = Predictor.open(TS.resolve("token_transformer.pt"), null,
                Predictor.builder(null).signature(List.of(tokens)), Trust.CODE)) {
            assertEquals(List.of(tokens), p.signature());
            assertTrue(!p.isClassifier());
            Map<String, TensorData> out = p.infer(Map.of("tokens", TensorData.of(longs(expected.get("tokens")), 2, 8)));
            assertEquals(List.of("output"), List.copyOf(out.keySet()));
            TensorData y = out.get("output");
            assertEquals(DType.FLOAT32, y.dtype());
            assertArrayEquals(new long[] {2, 3}, y.shape());
            assertArrayEquals(floats(expected.get("output")), y.floats(), 1e-5f);
            // the classifier API is not offered by a tensor predictor
            assertThrows(IllegalStateException.class, () -> p.predict(new float[784], 1));
        }
    }

    @Test
    void withoutADeclarationTheSignatureIsReadFromTheScriptsForward() throws IOException {
        JsonNode expected = JSON.readTree(TS.resolve("token_transformer.json").toFile());
        try (Predictor p = Predictor.open(TS.resolve("token_transformer.pt"), null, null, Trust.CODE)) {
            assertEquals(List.of(TensorSpec.any("tokens")), p.signature());
            Map<String, TensorData> out = p.infer(Map.of("tokens", TensorData.of(longs(expected.get("tokens")), 2, 8)));
            assertArrayEquals(floats(expected.get("output")), out.get("output").floats(), 1e-5f);
        }
        // as data, TorchScript is still refused before it is opened
        assertThrows(dev.jtorch.io.ModelFileException.class,
                () -> Predictor.open(TS.resolve("token_transformer.pt"), null, null, Trust.DATA));
    }

    @Test
    void requestsThatDoNotFitTheSignatureNameWhatIsWrong() throws IOException {
        TensorSpec tokens = new TensorSpec("tokens", DType.INT64, new long[] {-1, 8});
        try (Predictor p = Predictor.open(TS.resolve("token_transformer.pt"), null,
                Predictor.builder(null).signature(List.of(tokens)), Trust.CODE)) {
            InvalidInputException dtype = assertThrows(InvalidInputException.class,
                    () -> p.infer(Map.of("tokens", TensorData.of(new float[16], 2, 8))));
            assertEquals("input 'tokens': expected dtype int64, got float32", dtype.getMessage());
            InvalidInputException shape = assertThrows(InvalidInputException.class,
                    () -> p.infer(Map.of("tokens", TensorData.of(new long[14], 2, 7))));
            assertEquals("input 'tokens': expected shape [-1, 8] (-1: any size), got [2, 7]", shape.getMessage());
            InvalidInputException missing = assertThrows(InvalidInputException.class, () -> p.infer(Map.of()));
            assertTrue(missing.getMessage().startsWith("missing input 'tokens'"), missing.getMessage());
            InvalidInputException unknown = assertThrows(InvalidInputException.class, () -> p.infer(Map.of(
                    "tokens", TensorData.of(new long[16], 2, 8), "mask", TensorData.of(new boolean[2], 2))));
            assertTrue(unknown.getMessage().startsWith("unknown input 'mask'"), unknown.getMessage());
            // an out-of-range token id is the model's error, reported, and the predictor goes on
            assertThrows(dev.jtorch.TorchException.class,
                    () -> p.infer(Map.of("tokens", TensorData.of(new long[] {0, 1, 2, 3, 4, 5, 6, 999}, 1, 8))));
            assertEquals(2, p.infer(Map.of("tokens", TensorData.of(new long[16], 2, 8))).get("output").shape()[0]);
        }
    }

    @Test
    void twoInputsAndATupleResult() throws IOException {
        JsonNode e = JSON.readTree(TS.resolve("multi_expected.json").toFile()).get("two_in_tuple");
        List<TensorSpec> sig = List.of(new TensorSpec("x", DType.FLOAT32, new long[] {2, 3}),
                new TensorSpec("y", DType.FLOAT32, new long[] {2, 2}));
        try (Predictor p = Predictor.open(TS.resolve("two_in_tuple.pt"), null, Predictor.builder(null).signature(sig),
                Trust.CODE)) {
            Map<String, TensorData> out = p.infer(Map.of(
                    "x", TensorData.of(floats(e.get("x").get("data")), 2, 3),
                    "y", TensorData.of(floats(e.get("y").get("data")), 2, 2)));
            assertEquals(List.of("output0", "output1"), List.copyOf(out.keySet()));
            assertArrayEquals(floats(e.get("out0").get("data")), out.get("output0").floats(), 1e-5f);
            assertArrayEquals(floats(e.get("out1").get("data")), out.get("output1").floats(), 1e-5f);
        }
    }

    @Test
    void aJavaModuleAndTheClassifiersOwnSignature() throws Exception {
        try (Predictor p = Predictor.open(Path.of("src/test/resources/python/simple_nn.pt"), Architecture.MLP, null)) {
            assertEquals(List.of(new TensorSpec("input", DType.FLOAT32, new long[] {-1, 1, 28, 28})), p.signature());
            float[] px = new float[784];
            for (int i = 0; i < px.length; i++) {
                px[i] = (i % 17) / 16f;
            }
            double[] probs = p.predict(px, 1).probabilities();
            // infer gives the raw scores; their softmax is predict's answer, from 8 threads at once
            ExecutorService pool = Executors.newFixedThreadPool(8);
            List<Future<float[]>> fs = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                fs.add(pool.submit(() -> p.infer(Map.of("input", TensorData.of(px, 1, 1, 28, 28))).get("output").floats()));
            }
            for (Future<float[]> f : fs) {
                float[] logits = f.get();
                double max = Double.NEGATIVE_INFINITY;
                for (float v : logits) {
                    max = Math.max(max, v);
                }
                double sum = 0;
                for (float v : logits) {
                    sum += Math.exp(v - max);
                }
                for (int k = 0; k < logits.length; k++) {
                    assertEquals(probs[k], Math.exp(logits[k] - max) / sum, 1e-5);
                }
            }
            pool.shutdown();
        }
        // a Java module built with a signature serves tensors of any batch
        try (Predictor p = Predictor.builder(new Linear(3, 2))
                .signature(List.of(new TensorSpec("x", DType.FLOAT32, new long[] {-1, 3}))).build()) {
            TensorData y = p.infer(Map.of("x", TensorData.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3))).get("output");
            assertEquals(DType.FLOAT32, y.dtype());
            assertArrayEquals(new long[] {2, 2}, y.shape());
        }
        // what the model itself refuses (float64 into a float32 Linear, as in PyTorch) reaches the caller
        try (Predictor p = Predictor.builder(new Linear(3, 2))
                .signature(List.of(new TensorSpec("x", DType.FLOAT64, new long[] {-1, 3}))).build()) {
            dev.jtorch.TorchException e = assertThrows(dev.jtorch.TorchException.class,
                    () -> p.infer(Map.of("x", TensorData.of(new double[] {1, 2, 3}, 1, 3))));
            assertTrue(e.getMessage().startsWith("linear([1, 3] float64"), e.getMessage());
        }
    }

    /** Doubles its input; records each forward's rows; the first forward waits for a gate; negatives fail. */
    static final class Doubler extends dev.jtorch.nn.Module {
        final List<Long> rows = java.util.Collections.synchronizedList(new ArrayList<>());
        final java.util.concurrent.CountDownLatch entered = new java.util.concurrent.CountDownLatch(1);
        final java.util.concurrent.CountDownLatch gate = new java.util.concurrent.CountDownLatch(1);

        @Override
        public Tensor forward(Tensor x) {
            rows.add(x.size(0));
            entered.countDown();
            try {
                gate.await();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            if (x.lt(0.0).any().toBooleanArray()[0]) {
                throw new dev.jtorch.TorchException("negative input");
            }
            return x.mul(2.0);
        }
    }

    @Test
    void tensorRequestsThatQueuedTogetherShareOneForwardAndGetTheirOwnRows() throws Exception {
        Doubler m = new Doubler();
        try (Predictor p = Predictor.builder(m).maxBatch(8)
                .signature(List.of(new TensorSpec("x", DType.FLOAT32, new long[] {-1, 2}))).build()) {
            ExecutorService pool = Executors.newFixedThreadPool(5);
            List<Future<Map<String, TensorData>>> fs = new ArrayList<>();
            fs.add(pool.submit(() -> p.infer(Map.of("x", TensorData.of(new float[] {1, 2}, 1, 2)))));
            assertTrue(m.entered.await(10, java.util.concurrent.TimeUnit.SECONDS));
            float[][] more = {{3, 4}, {5, 6, 7, 8}, {-1, 0}, {9, 10}};
            for (float[] v : more) {
                fs.add(pool.submit(() -> p.infer(Map.of("x", TensorData.of(v, v.length / 2, 2)))));
            }
            while (p.stats().requests() < 5) {
                Thread.sleep(5);
            }
            m.gate.countDown();
            assertArrayEquals(new float[] {2, 4}, fs.get(0).get().get("output").floats());
            assertArrayEquals(new float[] {6, 8}, fs.get(1).get().get("output").floats());
            assertArrayEquals(new float[] {10, 12, 14, 16}, fs.get(2).get().get("output").floats());
            assertArrayEquals(new long[] {2, 2}, fs.get(2).get().get("output").shape());
            java.util.concurrent.ExecutionException bad = assertThrows(java.util.concurrent.ExecutionException.class,
                    () -> fs.get(3).get());
            assertTrue(bad.getCause().getMessage().contains("negative input"), bad.getCause().toString());
            assertArrayEquals(new float[] {18, 20}, fs.get(4).get().get("output").floats());
            pool.shutdown();
        }
        // the first alone, then the four queued ones stacked (5 rows), which failed on the negative
        // one, then each alone (in the order the pool's threads happened to queue them)
        assertEquals(List.of(1L, 5L), m.rows.subList(0, 2));
        List<Long> alone = new ArrayList<>(m.rows.subList(2, m.rows.size()));
        java.util.Collections.sort(alone);
        assertEquals(List.of(1L, 1L, 1L, 2L), alone);
    }

    @Test
    void tensorDataChecksItsShape() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TensorData.of(new float[5], 2, 3));
        assertEquals("shape [2, 3] holds 6 elements, but 5 values were given", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new TensorData(DType.INT64, new long[] {2}, new float[2]));
        try (TensorScope s = TensorScope.open()) {
            TensorData d = TensorData.of(Tensor.of(new long[] {1, 2, 3}, 3));
            assertArrayEquals(new long[] {1, 2, 3}, d.longs());
        }
    }
}
