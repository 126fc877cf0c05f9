package dev.jtorch.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jtorch.DType;
import dev.jtorch.Device;
import dev.jtorch.Torch;
import dev.jtorch.io.IoTestSupport.Tiny;
import dev.jtorch.nn.Module;
import dev.jtorch.optim.Adam;
import dev.jtorch.optim.AdamOptions;
import dev.jtorch.optim.Optimizer;
import dev.jtorch.optim.SGD;
import dev.jtorch.optim.SGDOptions;
import dev.jtorch.tensor.Shape;
import dev.jtorch.tensor.Tensor;
import dev.jtorch.tensor.TensorScope;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.extension.ExtendWith;
import dev.jtorch.NoLeaks;

/**
 * jtorch checkpoints: metadata, model and optimizer round trip; resuming from one is bit-identical
 * to not stopping (float64); each kind of bad file gets its own clear error.
 */
@ExtendWith(NoLeaks.class)
class CheckpointTest {
    @TempDir
    Path dir;

    private static Tiny tiny(long seed) {
        Torch.manualSeed(seed);
        Tiny m = new Tiny();
        m.to(DType.FLOAT64);
        return m;
    }

    /** One deterministic training step: batch {@code step} of a fixed synthetic regression task. */
    private static void trainStep(Module model, Optimizer opt, int step) {
        Random r = new Random(1000 + step);
        double[] x = new double[8 * 4];
        double[] y = new double[8 * 3];
        for (int i = 0; i < x.length; i++) {
            x[i] = r.nextGaussian();
        }
        for (int i = 0; i < y.length; i++) {
            y[i] = r.nextGaussian();
        }
        try (TensorScope s = TensorScope.open()) {
            Tensor out = model.forward(Tensor.of(x, Shape.of(8, 4), DType.FLOAT64, Device.CPU));
            Tensor loss = out.sub(Tensor.of(y, Shape.of(8, 3), DType.FLOAT64, Device.CPU)).pow(2).mean();
            opt.zeroGrad();
            loss.backward();
            opt.step();
        }
    }

    private static List<double[]> params(Module m) {
        List<double[]> out = new ArrayList<>();
        try (TensorScope s = TensorScope.open()) {
            for (Tensor t : m.stateDict().values()) {
                out.add(t.toDoubleArray());
            }
        }
        return out;
    }

    private void resumesExactly(Function<Module, Optimizer> makeOptimizer, Map<String, Object> settings) throws IOException {
        List<double[]> uninterrupted;
        try (Tiny m = tiny(7); Optimizer opt = makeOptimizer.apply(m)) {
            for (int step = 0; step < 5; step++) {
                trainStep(m, opt, step);
            }
            uninterrupted = params(m);
        }
        Path file = dir.resolve("checkpoint.pt");
        try (Tiny m = tiny(7); Optimizer opt = makeOptimizer.apply(m)) {
            for (int step = 0; step < 3; step++) {
                trainStep(m, opt, step);
            }
            new Checkpoint("tiny", 3, 7, m.stateDict(), Checkpoint.OptimizerState.of(opt, settings),
                    Map.of("scheduler", Map.of("epoch", 3, "base_lr", 0.05))).save(file);
        }
        try (Tiny m = tiny(99); Optimizer opt = makeOptimizer.apply(m)) {
            try (TensorScope s = TensorScope.open()) {
                Checkpoint c = Checkpoint.load(file);
                assertEquals(3, c.epoch());
                c.restore(m, opt);
            }
            for (int step = 3; step < 5; step++) {
                trainStep(m, opt, step);
            }
            List<double[]> resumed = params(m);
            for (int i = 0; i < resumed.size(); i++) {
                assertArrayEquals(uninterrupted.get(i), resumed.get(i), "tensor " + i + " after 3 + 2 steps");
            }
        }
    }

    @Test
    void adamResumesBitIdentically() throws IOException {
        resumesExactly(m -> new Adam(m.parameters(), AdamOptions.lr(0.05)), Map.of("beta1", 0.9, "beta2", 0.999));
    }

    @Test
    void sgdWithMomentumResumesBitIdentically() throws IOException {
        resumesExactly(m -> new SGD(m.parameters(), SGDOptions.lr(0.1).withMomentum(0.9)), Map.of("momentum", 0.9));
    }

    @Test
    void metadataRoundTripsAndTheFileIsAZipWithThreeEntries() throws IOException {
        Path file = dir.resolve("c.ckpt");
        byte[] state;
        try (Tiny m = tiny(3); Adam opt = new Adam(m.parameters(), 0.01); TensorScope s = TensorScope.open()) {
            state = opt.stateBytes();
            Map<String, Object> extra = new LinkedHashMap<>();
            extra.put("scheduler", Map.of("kind", "StepLR", "epoch", 4));
            extra.put("note", "hello");
            extra.put("nothing", null);
            extra.put("list", List.of(1, 2.5, "x"));
            new Checkpoint("mlp", 4, 1234567890123L, m.stateDict(), Checkpoint.OptimizerState.of(opt), extra).save(file);
            Checkpoint c = Checkpoint.load(file);
            assertEquals("mlp", c.architecture());
            assertEquals(4, c.epoch());
            assertEquals(1234567890123L, c.seed());
            assertEquals("Adam", c.optimizer().kind());
            assertEquals(0.01, c.optimizer().lr());
            assertArrayEquals(state, c.optimizer().state());
            assertEquals(extra, c.extra());
            assertEquals(new ArrayList<>(m.stateDict().keySet()), new ArrayList<>(c.model().keySet()));
            for (String k : c.model().keySet()) {
                assertArrayEquals(m.stateDict().get(k).toDoubleArray(), c.model().get(k).toDoubleArray(), k);
            }
        }
        try (ZipFile z = new ZipFile(file.toFile())) {
            assertEquals(List.of(Checkpoint.JSON_ENTRY, Checkpoint.MODEL_ENTRY, Checkpoint.OPTIMIZER_ENTRY),
                    z.stream().map(e -> e.getName()).toList());
            String json = new String(z.getInputStream(z.getEntry("checkpoint.json")).readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(json.contains("\"format\" : \"jtorch-checkpoint\"") && json.contains("\"format_version\" : 1"), json);
        }
        assertEquals(ModelKind.JTORCH_CHECKPOINT, ModelFiles.detect(file));
    }

    @Test
    void modelOnlyCheckpointHasNoOptimizerEntry() throws IOException {
        Path file = dir.resolve("model-only.pt");
        try (Tiny m = tiny(3); TensorScope s = TensorScope.open()) {
            new Checkpoint("tiny", 0, 0, m.stateDict(), null, null).save(file);
            Checkpoint c = Checkpoint.load(file);
            assertNull(c.optimizer());
            assertEquals(Map.of(), c.extra());
            try (Tiny fresh = tiny(4); SGD opt = new SGD(fresh.parameters(), 0.1)) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> c.restore(fresh, opt));
                assertTrue(e.getMessage().contains("no optimizer state"), e.getMessage());
            }
        }
        try (ZipFile z = new ZipFile(file.toFile())) {
            assertNull(z.getEntry(Checkpoint.OPTIMIZER_ENTRY));
        }
    }

    @Test
    void constructorRefusesBadValues() {
        Map<String, Tensor> none = Map.of();
        assertThrows(NullPointerException.class, () -> new Checkpoint(null, 0, 0, none, null, null));
        assertThrows(IllegalArgumentException.class, () -> new Checkpoint(" ", 0, 0, none, null, null));
        assertThrows(IllegalArgumentException.class, () -> new Checkpoint("mlp", -1, 0, none, null, null));
        assertThrows(IllegalArgumentException.class, () -> new Checkpoint("mlp", 0, 0, none, null, Map.of("x", new Object())));
    }

    // ================================================================ load errors

    private byte[] validModelBytes() {
        try (TensorScope s = TensorScope.open()) {
            return StateDicts.toBytes(Map.of("w", Tensor.ones(2)));
        }
    }

    private static byte[] json(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static final String GOOD_JSON = "{\"format\": \"jtorch-checkpoint\", \"format_version\": 1, \"architecture\": \"mlp\","
            + " \"epoch\": 1, \"seed\": 0, \"optimizer\": null, \"extra\": {}}";

    private ModelFileException loadFails(Path file) {
        try (TensorScope s = TensorScope.open()) {
            ModelFileException e = assertThrows(ModelFileException.class, () -> Checkpoint.load(file));
            assertEquals(file, e.file());
            assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
            return e;
        }
    }

    @Test
    void notAZip() throws IOException {
        Path file = Files.write(dir.resolve("notzip.pt"), json("this is not a zip at all"));
        assertTrue(loadFails(file).getMessage().contains("not a zip archive"));
    }

    @Test
    void missingEntries() throws IOException {
        Path noJson = IoTestSupport.zip(dir.resolve("nojson.pt"), Map.of("model.pt", validModelBytes()));
        assertTrue(loadFails(noJson).getMessage().contains("entry checkpoint.json"));

        Path noModel = IoTestSupport.zip(dir.resolve("nomodel.pt"), Map.of("checkpoint.json", json(GOOD_JSON)));
        String m = loadFails(noModel).getMessage();
        assertTrue(m.contains("entry model.pt") && m.contains("missing"), m);

        Path noOptimizer = IoTestSupport.zip(dir.resolve("noopt.pt"), Map.of(
                "checkpoint.json", json(GOOD_JSON.replace("\"optimizer\": null", "\"optimizer\": {\"kind\": \"Adam\", \"lr\": 0.001}")),
                "model.pt", validModelBytes()));
        String o = loadFails(noOptimizer).getMessage();
        assertTrue(o.contains("entry optimizer.bin") && o.contains("Adam"), o);
    }

    @Test
    void aStateDictOrTorchScriptIsNamedAsSuch() throws IOException {
        Path sd = dir.resolve("sd.pt");
        try (TensorScope s = TensorScope.open()) {
            StateDicts.save(Map.of("w", Tensor.ones(1)), sd);
        }
        assertTrue(loadFails(sd).getMessage().contains("is a state dict"));
        Path script = IoTestSupport.resource("linear_torchscript.pt", dir.resolve("script.pt"));
        assertTrue(loadFails(script).getMessage().contains("TorchScript"));
    }

    @Test
    void wrongFormatName() throws IOException {
        Path file = IoTestSupport.zip(dir.resolve("other.pt"), Map.of(
                "checkpoint.json", json(GOOD_JSON.replace("jtorch-checkpoint", "something-else")),
                "model.pt", validModelBytes()));
        String m = loadFails(file).getMessage();
        assertTrue(m.contains("\"something-else\"") && m.contains("expected \"jtorch-checkpoint\""), m);
        assertEquals(ModelKind.UNKNOWN, ModelFiles.detect(file));
    }

    @Test
    void newerFormatVersion() throws IOException {
        Path file = IoTestSupport.zip(dir.resolve("future.pt"), Map.of(
                "checkpoint.json", json(GOOD_JSON.replace("\"format_version\": 1", "\"format_version\": 2")),
                "model.pt", validModelBytes()));
        String m = loadFails(file).getMessage();
        assertTrue(m.contains("format_version 2") && m.contains("newer jtorch") && m.contains("up to 1"), m);
        assertEquals(ModelKind.JTORCH_CHECKPOINT, ModelFiles.detect(file));
    }

    @Test
    void invalidJsonAndFields() throws IOException {
        Path bad = IoTestSupport.zip(dir.resolve("badjson.pt"), Map.of("checkpoint.json", json("{nope"), "model.pt", validModelBytes()));
        assertTrue(loadFails(bad).getMessage().contains("not valid JSON"));
        Path noEpoch = IoTestSupport.zip(dir.resolve("noepoch.pt"), Map.of(
                "checkpoint.json", json(GOOD_JSON.replace("\"epoch\": 1", "\"epoch\": \"one\"")), "model.pt", validModelBytes()));
        assertTrue(loadFails(noEpoch).getMessage().contains("\"epoch\" must be an integer"));
    }

    @Test
    void corruptModelEntry() throws IOException {
        byte[] model = validModelBytes();
        byte[] truncated = java.util.Arrays.copyOf(model, model.length / 2);
        Path file = IoTestSupport.zip(dir.resolve("corrupt.pt"), Map.of("checkpoint.json", json(GOOD_JSON), "model.pt", truncated));
        String m = loadFails(file).getMessage();
        assertTrue(m.contains("model.pt is corrupt"), m);
        Path garbage = IoTestSupport.zip(dir.resolve("garbage.pt"), Map.of("checkpoint.json", json(GOOD_JSON), "model.pt", json("garbage")));
        assertTrue(loadFails(garbage).getMessage().contains("model.pt is corrupt"));
    }

    @Test
    void missingFileAndNoScope() throws IOException {
        try (TensorScope s = TensorScope.open()) {
            assertThrows(NoSuchFileException.class, () -> Checkpoint.load(dir.resolve("absent.pt")));
        }
        assertThrows(IllegalStateException.class, () -> Checkpoint.load(dir.resolve("absent.pt")));
    }
}
