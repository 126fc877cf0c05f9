package dev.jtorch.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jtorch.DType;
import dev.jtorch.Device;
import dev.jtorch.Torch;
import dev.jtorch.TorchException;
import dev.jtorch.autograd.NoGrad;
import dev.jtorch.cuda.Cuda;
import dev.jtorch.data.Split;
import dev.jtorch.metrics.EvalReport;
import dev.jtorch.models.Architecture;
import dev.jtorch.nn.functional.F;
import dev.jtorch.tensor.Shape;
import dev.jtorch.tensor.Tensor;
import dev.jtorch.tensor.TensorScope;
import dev.jtorch.train.Evaluation;
import dev.jtorch.train.ModelLoader;
import dev.jtorch.train.Prediction;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TorchScript archives written by PyTorch 1.13 (scripts/fixtures_torchscript.py): the same
 * probabilities as PyTorch, parameters, concurrent inference, clear errors, the CLI's loader,
 * and no native leaks.
 */
class TorchScriptTest {
    @TempDir
    Path dir;
    private long handlesBefore;

    @BeforeEach
    void recordHandles() {
        Torch.init();
        handlesBefore = Torch.liveHandles();
    }

    @AfterEach
    void nothingLeaks() {
        assertEquals(handlesBefore, Torch.liveHandles(), "native handles leaked by the test");
    }

    /** The 4 test images of expected.json as float32 [4, 1, 28, 28] in [0, 1], in the current scope. */
    static Tensor pixels(JsonNode expected) {
        JsonNode px = expected.get("pixels");
        float[] x = new float[4 * 784];
        for (int i = 0; i < 4; i++) {
            for (int j = 0; j < 784; j++) {
                x[i * 784 + j] = px.get(i).get(j).asInt() / 255f;
            }
        }
        return Tensor.of(x, Shape.of(4, 1, 28, 28), DType.FLOAT32, Device.CPU);
    }

    static void assertProbabilities(JsonNode expected, double[] got) {
        JsonNode want = expected.get("probabilities");
        assertEquals(40, got.length);
        for (int i = 0; i < 4; i++) {
            for (int c = 0; c < 10; c++) {
                assertEquals(want.get(i).get(c).asDouble(), got[i * 10 + c], 1e-5, "image " + i + " class " + c);
            }
        }
    }

    private static double[] probabilities(ScriptModule m, JsonNode expected) {
        try (NoGrad g = NoGrad.enter(); TensorScope s = TensorScope.open()) {
            return F.softmax(m.forward(pixels(expected)).to(DType.FLOAT64), 1).toDoubleArray();
        }
    }

    @Test
    void scriptedAndTracedGiveTheSameProbabilitiesAsPyTorch() throws IOException {
        JsonNode want = SafeTensorsTest.expected();
        for (String name : List.of("simple_scripted.pt", "simple_traced.pt")) {
            Path file = SafeTensorsTest.resource(dir, name);
            assertEquals(ModelKind.TORCHSCRIPT, ModelFiles.detect(file), name);
            try (ScriptModule m = ScriptModule.load(file)) {
                assertTrue(Torch.liveHandles() > handlesBefore, "the module and its parameters are counted");
                assertTrue(!m.isTraining(), "loaded in eval mode");
                assertProbabilities(want, probabilities(m, want));
                assertEquals(file, m.file());
            }
        }
    }

    @Test
    void parametersAreVisibleAndAliasTheScript() throws IOException {
        JsonNode want = SafeTensorsTest.expected();
        Path file = SafeTensorsTest.resource(dir, "simple_scripted.pt");
        Path st = SafeTensorsTest.resource(dir, "simple.safetensors");
        try (ScriptModule m = ScriptModule.load(file); TensorScope s = TensorScope.open()) {
            assertEquals(List.of("fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"),
                    new ArrayList<>(m.namedParameters().keySet()));
            assertEquals(784 * 128 + 128 + 128 * 10 + 10, m.parameterCount());
            Map<String, Tensor> py = SafeTensors.load(st);
            for (Map.Entry<String, Tensor> e : m.stateDict().entrySet()) {
                assertArrayEquals(py.get(e.getKey()).toFloatArray(), e.getValue().toFloatArray(), e.getKey());
            }
            // loading a state dict writes into the script's own tensors
            try (NoGrad g = NoGrad.enter()) {
                m.loadStateDict(Map.of("fc1.weight", py.get("fc1.weight"), "fc1.bias", py.get("fc1.bias"),
                        "fc2.weight", py.get("fc2.weight"), "fc2.bias", Tensor.zeros(Shape.of(10), DType.FLOAT32,
                                Device.CPU)));
            }
            assertNotEquals(want.get("probabilities").get(0).get(0).asDouble(), probabilities(m, want)[0], 1e-6);
        }
    }

    @Test
    void twoThreadsAtOnceGiveIdenticalResults() throws Exception {
        JsonNode want = SafeTensorsTest.expected();
        Path file = SafeTensorsTest.resource(dir, "simple_traced.pt");
        double[] reference;
        try (ScriptModule first = ScriptModule.load(file)) {
            reference = probabilities(first, want);
        }
        assertProbabilities(want, reference);
        // a fresh module, so that the graph executor's first (optimising) runs also race
        try (ScriptModule m = ScriptModule.load(file)) {
            ExecutorService pool = Executors.newFixedThreadPool(2);
            try {
                Callable<Boolean> job = () -> {
                    for (int i = 0; i < 50; i++) {
                        if (!Arrays.equals(reference, probabilities(m, want))) {
                            return false;
                        }
                    }
                    return true;
                };
                List<Future<Boolean>> fs = List.of(pool.submit(job), pool.submit(job));
                for (Future<Boolean> f : fs) {
                    assertTrue(f.get(), "a thread saw different probabilities");
                }
            } finally {
                pool.shutdown();
            }
        }
    }

    @Test
    void wrongInputShapeNamesTheShapeAndTheReason() throws IOException {
        Path file = SafeTensorsTest.resource(dir, "simple_scripted.pt");
        try (ScriptModule m = ScriptModule.load(file); NoGrad g = NoGrad.enter(); TensorScope s = TensorScope.open()) {
            TorchException e = assertThrows(TorchException.class,
                    () -> m.forward(Tensor.zeros(Shape.of(2, 100), DType.FLOAT32, Device.CPU)));
            assertTrue(e.getMessage().contains("[2, 100]"), e.getMessage());
            assertTrue(e.getMessage().contains("simple_scripted.pt"), e.getMessage());
            assertTrue(e.getMessage().contains("mat1 and mat2 shapes cannot be multiplied"), e.getMessage());
            assertTrue(!e.getMessage().contains("\n"), e.getMessage());
        }
    }

    @Test
    void corruptOrTruncatedArchivesNameTheFile() throws IOException {
        byte[] good = Files.readAllBytes(SafeTensorsTest.resource(dir, "simple_scripted.pt"));
        Path truncated = Files.write(dir.resolve("truncated.pt"), Arrays.copyOf(good, good.length / 2));
        Path garbage = Files.write(dir.resolve("garbage.pt"), "not a zip at all".getBytes());
        byte[] flipped = good.clone();
        for (int i = good.length - 4000; i < good.length - 3000; i++) {
            flipped[i] ^= 0x5a; // inside the central directory / last entries
        }
        Path corrupt = Files.write(dir.resolve("corrupt.pt"), flipped);
        for (Path p : List.of(truncated, garbage, corrupt)) {
            ModelFileException e = assertThrows(ModelFileException.class, () -> ScriptModule.load(p), p.toString());
            assertEquals(p, e.file());
            assertTrue(e.getMessage().startsWith(p.toString()), e.getMessage());
            assertTrue(e.getMessage().contains("TorchScript"), e.getMessage());
        }
        assertThrows(java.nio.file.NoSuchFileException.class, () -> ScriptModule.load(dir.resolve("missing.pt")));
    }

    @Test
    void closeFreesEverythingAndForbidsUse() throws IOException {
        Path file = SafeTensorsTest.resource(dir, "simple_scripted.pt");
        ScriptModule m = ScriptModule.load(file);
        m.close();
        m.close();
        assertEquals(handlesBefore, Torch.liveHandles());
        try (TensorScope s = TensorScope.open()) {
            Tensor x = Tensor.zeros(Shape.of(1, 1, 28, 28), DType.FLOAT32, Device.CPU);
            assertThrows(IllegalStateException.class, () -> m.forward(x));
        }
    }

    @Test
    @org.junit.jupiter.api.Tag("cuda")
    void movesToCudaWhenAvailable() throws IOException {
        assumeTrue(Cuda.isAvailable(), "no CUDA device");
        JsonNode want = SafeTensorsTest.expected();
        Path file = SafeTensorsTest.resource(dir, "simple_scripted.pt");
        try (ScriptModule m = ScriptModule.load(file, Device.cuda(0));
             NoGrad g = NoGrad.enter(); TensorScope s = TensorScope.open()) {
            assertEquals(Device.cuda(0), m.namedParameters().get("fc1.weight").device());
            Tensor out = m.forward(pixels(want).to(Device.cuda(0)));
            assertEquals(Device.cuda(0), out.device());
            assertProbabilities(want, F.softmax(out.to(DType.FLOAT64), 1).to(Device.CPU).toDoubleArray());
        }
    }

    // ---------------------------------------------------------------- through the CLI's loader

    /** The 4 images as an uncompressed IDX images file. */
    private Path idx(JsonNode expected) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(16 + 4 * 784);
        b.putInt(2051).putInt(4).putInt(28).putInt(28);
        for (int i = 0; i < 4; i++) {
            for (int j = 0; j < 784; j++) {
                b.put((byte) expected.get("pixels").get(i).get(j).asInt());
            }
        }
        return Files.write(dir.resolve("images.idx3-ubyte"), b.array());
    }

    @Test
    void predictThroughModelLoaderOnTorchScriptAndSafetensors() throws IOException {
        JsonNode want = SafeTensorsTest.expected();
        Path images = idx(want);
        for (String name : List.of("simple_scripted.pt", "simple_traced.pt", "simple.safetensors")) {
            Path file = SafeTensorsTest.resource(dir, name);
            ModelLoader.Loaded loaded = ModelLoader.load(file, null, Trust.CODE);
            try (var m = loaded.model()) {
                assertEquals(Architecture.MLP, loaded.architecture());
                assertEquals(10, loaded.classes().size());
                assertEquals(name.endsWith(".pt"), m instanceof ScriptModule, name);
            }
            List<Prediction.Result> rs = Prediction.run(file, null, List.of(images), 10, Trust.CODE);
            assertEquals(4, rs.size());
            for (Prediction.Result r : rs) {
                for (Prediction.Top t : r.top()) {
                    assertEquals(want.get("probabilities").get(r.index()).get(t.classIndex()).asDouble(),
                            t.probability(), 1e-5, name + " image " + r.index());
                }
            }
        }
    }

    @Test
    void evalThroughModelLoaderAgreesBetweenTorchScriptAndSafetensors() throws IOException {
        EvalReport script = Evaluation.run(SafeTensorsTest.resource(dir, "simple_scripted.pt"), null, null,
                Split.TEST, Device.CPU, Trust.CODE);
        EvalReport st = Evaluation.run(SafeTensorsTest.resource(dir, "simple.safetensors"), Architecture.MLP, null,
                Split.TEST, Device.CPU);
        assertEquals(10_000, script.samples());
        assertEquals(st.accuracy(), script.accuracy(), 1e-12);
        assertEquals(SafeTensorsTest.expected().get("test_accuracy").asDouble(), script.accuracy(), 1e-9,
                "PyTorch's accuracy on the test split");
    }

    @Test
    void torchScriptWithTheWrongModelShapeIsRefusedAtLoad() throws IOException {
        Path file = SafeTensorsTest.resource(dir, "simple_scripted.pt");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ModelLoader.load(file, Architecture.CIFAR_CNN, Trust.CODE));
        assertTrue(e.getMessage().contains("3x32x32"), e.getMessage());
        assertTrue(e.getMessage().contains("simple_scripted.pt"), e.getMessage());
    }

    @Test
    void theDesignCnnAsTorchScriptGivesPyTorchsProbabilities() throws IOException {
        JsonNode want = SafeTensorsTest.expected();
        Path file = SafeTensorsTest.resource(dir, "cnn_scripted.pt");
        var loaded = dev.jtorch.train.ModelLoader.load(file, dev.jtorch.models.Architecture.CNN, Trust.CODE);
        try (var m = loaded.model(); TensorScope s = TensorScope.open()) {
            double[] got = F.softmax(m.forward(pixels(want)).to(DType.FLOAT64), 1).toDoubleArray();
            JsonNode p = want.get("cnn_probabilities");
            for (int i = 0; i < 4; i++) {
                for (int c = 0; c < 10; c++) {
                    assertEquals(p.get(i).get(c).asDouble(), got[i * 10 + c], 1e-5, "image " + i + " class " + c);
                }
            }
        }
    }
}
