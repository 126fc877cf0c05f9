package dev.jtorch.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jtorch.DType;
import dev.jtorch.Device;
import dev.jtorch.Torch;
import dev.jtorch.autograd.NoGrad;
import dev.jtorch.io.IoTestSupport.SimpleNN;
import dev.jtorch.tensor.Shape;
import dev.jtorch.tensor.Tensor;
import dev.jtorch.tensor.TensorScope;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.extension.ExtendWith;
import dev.jtorch.NoLeaks;

/**
 * State dicts in torch.save's format: round trips of every common dtype and of views, models that
 * compute the same after a save and load, and clear refusals of files that are not such a dict.
 * Python's side (torch.load + load_state_dict of these files) is checked by hand with
 * scripts/check_model_pt.py; see the README of src/test/resources/io.
 */
@ExtendWith(NoLeaks.class)
class StateDictsTest {
    @TempDir
    Path dir;

    private static void assertSameTensor(String key, Tensor want, Tensor got) {
        assertEquals(want.dtype(), got.dtype(), key + " dtype");
        assertEquals(want.shape(), got.shape(), key + " shape");
        assertEquals(Device.CPU, got.device(), key + " device");
        assertTrue(!got.requiresGrad(), key + " must not require grad");
        assertArrayEquals(want.to(DType.FLOAT64).toDoubleArray(), got.to(DType.FLOAT64).toDoubleArray(), key + " values");
    }

    @Test
    void roundTripKeepsDtypesShapesValuesAndOrder() throws IOException {
        try (TensorScope s = TensorScope.open()) {
            Map<String, Tensor> sd = new LinkedHashMap<>();
            sd.put("fc1.weight", Tensor.randn(Shape.of(4, 3), DType.FLOAT32, Device.CPU));
            sd.put("fc1.bias", Tensor.randn(Shape.of(4), DType.FLOAT32, Device.CPU));
            sd.put("block.0.conv.weight", Tensor.randn(Shape.of(2, 1, 3, 3), DType.FLOAT64, Device.CPU));
            sd.put("bn.num_batches_tracked", Tensor.of(new long[] {7}, Shape.of(), DType.INT64, Device.CPU));
            sd.put("ids", Tensor.of(new long[] {Long.MAX_VALUE, -1, 0}, 3));
            sd.put("mask", Tensor.of(new boolean[] {true, false}, 2));
            sd.put("bytes", Tensor.ofUnsigned(new byte[] {0, (byte) 255}, 2));
            sd.put("half", Tensor.of(new float[] {1.5f, -2f}, Shape.of(2), DType.FLOAT16, Device.CPU));
            sd.put("a.b.c.d.e", Tensor.scalar(3.25));
            Path file = dir.resolve("sd.pt");
            StateDicts.save(sd, file);
            Map<String, Tensor> back = StateDicts.load(file);
            assertEquals(new ArrayList<>(sd.keySet()), new ArrayList<>(back.keySet()), "keys in order");
            for (String k : sd.keySet()) {
                assertSameTensor(k, sd.get(k), back.get(k));
            }
            assertThrows(UnsupportedOperationException.class, () -> back.put("x", sd.get("ids")));
        }
    }

    @Test
    void nonContiguousViewsAndParametersAreSavedAsPlainCompactTensors() throws IOException {
        try (TensorScope s = TensorScope.open()) {
            Tensor big = Tensor.rand(1000, 100);
            Map<String, Tensor> sd = new LinkedHashMap<>();
            sd.put("transposed", Tensor.arange(0, 12, 1, DType.FLOAT64, Device.CPU).view(3, 4).t());
            sd.put("strided", Tensor.arange(20).slice(0, 1, 20, 3));
            sd.put("row", big.narrow(0, 500, 1));
            sd.put("param", Tensor.rand(2, 2).requiresGrad(true));
            Path file = dir.resolve("views.pt");
            StateDicts.save(sd, file);
            assertTrue(Files.size(file) < 40_000, "a 1-row view of a 400 kB tensor must not save the whole storage: "
                    + Files.size(file) + " bytes");
            Map<String, Tensor> back = StateDicts.load(file);
            for (String k : sd.keySet()) {
                assertSameTensor(k, sd.get(k), back.get(k));
            }
            assertEquals(Shape.of(4, 3), back.get("transposed").shape());
            assertArrayEquals(new long[] {1, 4, 7, 10, 13, 16, 19}, back.get("strided").toLongArray());
        }
    }

    @Test
    void eachSaveWritesOnlyItsOwnTensors() throws IOException {
        // guards the native dict builder against sharing one dict between calls
        try (TensorScope s = TensorScope.open()) {
            StateDicts.save(Map.of("first", Tensor.ones(1)), dir.resolve("1.pt"));
            StateDicts.save(Map.of("second", Tensor.ones(1)), dir.resolve("2.pt"));
            StateDicts.save(Map.of(), dir.resolve("3.pt"));
            assertEquals(List.of("second"), new ArrayList<>(StateDicts.load(dir.resolve("2.pt")).keySet()));
            assertTrue(StateDicts.load(dir.resolve("3.pt")).isEmpty());
        }
    }

    @Test
    void emptyDictRoundTrips() throws IOException {
        try (TensorScope s = TensorScope.open()) {
            Path file = dir.resolve("empty.pt");
            StateDicts.save(Map.of(), file);
            assertTrue(StateDicts.load(file).isEmpty());
            assertEquals(ModelKind.STATE_DICT, ModelFiles.detect(file));
        }
    }

    @Test
    void modelSavedAndLoadedIntoAFreshModelComputesTheSame() throws IOException {
        Path file = dir.resolve("model.pt");
        float[] want;
        float[] input;
        Torch.manualSeed(1);
        try (SimpleNN a = new SimpleNN(); TensorScope s = TensorScope.open()) {
            StateDicts.save(a.stateDict(), file);
            new Checkpoint("mlp", 1, 1, a.stateDict(), null, Map.of()).save(dir.resolve("checkpoint.pt"));
            Tensor x = Tensor.rand(5, 1, 28, 28);
            input = x.toFloatArray();
            try (NoGrad g = NoGrad.enter()) {
                want = a.forward(x).toFloatArray();
            }
        }
        Torch.manualSeed(2);
        try (SimpleNN b = new SimpleNN(); TensorScope s = TensorScope.open()) {
            Tensor x = Tensor.of(input, 5, 1, 28, 28);
            try (NoGrad g = NoGrad.enter()) {
                assertTrue(!java.util.Arrays.equals(want, b.forward(x).toFloatArray()), "fresh model differs before loading");
                b.loadStateDict(StateDicts.load(file));
                assertArrayEquals(want, b.forward(x).toFloatArray());
            }
        }
        exportForPython(file, input, want);
        if (System.getProperty("jtorch.io.exportDir") != null) {
            Files.copy(dir.resolve("checkpoint.pt"), Path.of(System.getProperty("jtorch.io.exportDir"), "checkpoint.pt"),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /**
     * With -Djtorch.io.exportDir=DIR, leaves model.pt and io.json there for
     * {@code /usr/bin/python3 scripts/check_model_pt.py DIR/model.pt --arch mlp --io DIR/io.json}.
     */
    private static void exportForPython(Path model, float[] input, float[] output) throws IOException {
        String export = System.getProperty("jtorch.io.exportDir");
        if (export == null) {
            return;
        }
        Path out = Files.createDirectories(Path.of(export));
        Files.copy(model, out.resolve("model.pt"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Map<String, Object> io = new LinkedHashMap<>();
        io.put("input_shape", List.of(5, 1, 28, 28));
        io.put("input", input);
        io.put("output", output);
        new ObjectMapper().writeValue(out.resolve("io.json").toFile(), io);
    }

    @Test
    void loadNeedsAScopeAndAnExistingFile() throws IOException {
        Path file = dir.resolve("x.pt");
        try (TensorScope s = TensorScope.open()) {
            StateDicts.save(Map.of("w", Tensor.ones(2)), file);
        }
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> StateDicts.load(file));
        assertTrue(e.getMessage().contains("TensorScope"), e.getMessage());
        try (TensorScope s = TensorScope.open()) {
            NoSuchFileException missing = assertThrows(NoSuchFileException.class,
                    () -> StateDicts.load(dir.resolve("nope.pt")));
            assertTrue(missing.getMessage().contains("nope.pt"), missing.getMessage());
            ModelFileException folder = assertThrows(ModelFileException.class, () -> StateDicts.load(dir));
            assertTrue(folder.getMessage().contains("folder"), folder.getMessage());
        }
    }

    @Test
    void saveRefusesNullsAndClosedTensors() {
        try (TensorScope s = TensorScope.open()) {
            Map<String, Tensor> withNull = new LinkedHashMap<>();
            withNull.put("w", null);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> StateDicts.save(withNull, dir.resolve("n.pt")));
            assertTrue(e.getMessage().contains("'w'"), e.getMessage());
            Tensor t = s.keep(Tensor.ones(1));
            t.close();
            IllegalStateException c = assertThrows(IllegalStateException.class,
                    () -> StateDicts.save(Map.of("gone", t), dir.resolve("c.pt")));
            assertTrue(c.getMessage().contains("'gone'"), c.getMessage());
        }
        assertTrue(!Files.exists(dir.resolve("n.pt")) && !Files.exists(dir.resolve("c.pt")));
    }

    @Test
    void pythonOrderedDictStateDictIsRead() throws IOException {
        // torch.save(model.state_dict()): an OrderedDict, read by jtorch's own pickle reader
        Path file = IoTestSupport.resource("linear_state_dict.pt", dir.resolve("linear.pt"));
        JsonNode want = new ObjectMapper().readTree(getClass().getResourceAsStream("/io/linear_values.json"));
        try (TensorScope s = TensorScope.open()) {
            Map<String, Tensor> sd = StateDicts.load(file);
            assertEquals(List.of("weight", "bias"), new ArrayList<>(sd.keySet()));
            for (String k : sd.keySet()) {
                JsonNode values = want.get(k).get("values");
                float[] w = new float[values.size()];
                for (int i = 0; i < w.length; i++) {
                    w[i] = (float) values.get(i).asDouble();
                }
                assertArrayEquals(w, sd.get(k).toFloatArray(), k);
            }
        }
    }

    @Test
    void pythonPlainDictOfTensorsIsRead() throws IOException {
        Path file = IoTestSupport.resource("linear_plain_dict.pt", dir.resolve("plain.pt"));
        JsonNode want = new ObjectMapper().readTree(getClass().getResourceAsStream("/io/linear_values.json"));
        try (TensorScope s = TensorScope.open()) {
            Map<String, Tensor> sd = StateDicts.load(file);
            assertEquals(List.of("weight", "bias"), new ArrayList<>(sd.keySet()));
            for (String k : sd.keySet()) {
                JsonNode values = want.get(k).get("values");
                float[] w = new float[values.size()];
                for (int i = 0; i < w.length; i++) {
                    w[i] = (float) values.get(i).asDouble();
                }
                assertArrayEquals(w, sd.get(k).toFloatArray(), k);
            }
        }
    }

    @Test
    void otherFilesAreRefusedSayingWhatTheyAre() throws IOException {
        try (TensorScope s = TensorScope.open()) {
            Path script = IoTestSupport.resource("linear_torchscript.pt", dir.resolve("script.pt"));
            ModelFileException e1 = assertThrows(ModelFileException.class, () -> StateDicts.load(script));
            assertTrue(e1.getMessage().contains("TorchScript"), e1.getMessage());

            Path notTensors = IoTestSupport.resource("not_a_state_dict.pt", dir.resolve("meta.pt"));
            ModelFileException e2 = assertThrows(ModelFileException.class, () -> StateDicts.load(notTensors));
            assertTrue(e2.getMessage().contains("'epoch'"), e2.getMessage());

            Path garbage = Files.write(dir.resolve("garbage.pt"), new byte[] {1, 2, 3, 4, 5});
            ModelFileException e3 = assertThrows(ModelFileException.class, () -> StateDicts.load(garbage));
            assertTrue(e3.getMessage().contains("garbage.pt") && e3.getMessage().contains("supported"), e3.getMessage());

            Path ckpt = dir.resolve("ckpt.pt");
            new Checkpoint("tiny", 1, 0, Map.of("w", Tensor.ones(1)), null, Map.of()).save(ckpt);
            ModelFileException e4 = assertThrows(ModelFileException.class, () -> StateDicts.load(ckpt));
            assertTrue(e4.getMessage().contains("Checkpoint.load"), e4.getMessage());
        }
    }
}
