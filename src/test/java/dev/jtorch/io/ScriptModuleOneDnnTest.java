package dev.jtorch.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jtorch.Fixtures;
import dev.jtorch.Torch;
import dev.jtorch.autograd.InferenceMode;
import dev.jtorch.autograd.NoGrad;
import dev.jtorch.internal.NativeScript;
import dev.jtorch.internal.OneDnn;
import dev.jtorch.tensor.Tensor;
import dev.jtorch.tensor.TensorScope;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A TorchScript CNN under inference runs on jtorch's oneDNN copy (frozen, convolutions rewritten
 * where oneDNN is right) and still gives PyTorch's output; with gradients it runs the module
 * itself and gives PyTorch's input gradient; a changed parameter is seen by inference
 * (scripts/fixtures_onednn.py: stem, folded batch norms, depthwise, 1x1, a 24-channel 3x3 that
 * must stay native, residual, grouped, max pools).
 */
class ScriptModuleOneDnnTest {
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

    private static JsonNode golden() throws IOException {
        try (InputStream in = ScriptModuleOneDnnTest.class.getResourceAsStream("/torchscript/onednn_cnn.json")) {
            return new ObjectMapper().readTree(in);
        }
    }

    private static double[] doubles(JsonNode a) {
        double[] out = new double[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).asDouble();
        }
        return out;
    }

    private static Tensor input(JsonNode g) {
        double[] x = doubles(g.get("input"));
        float[] f = new float[x.length];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) x[i];
        }
        return Tensor.of(f, 2, 3, 12, 12);
    }

    @Test
    void inferenceMatchesPyTorchOnEveryCall() throws IOException {
        JsonNode g = golden();
        try (ScriptModule m = ScriptModule.load(SafeTensorsTest.resource(dir, "onednn_cnn.pt"))) {
            for (int call = 0; call < 3; call++) { // 1st: compared with the module; then the oneDNN copy
                try (TensorScope s = TensorScope.open(); InferenceMode im = InferenceMode.enter()) {
                    Fixtures.assertClose(doubles(g.get("output")), m.forward(input(g)).toDoubleArray(), 1e-4, 1e-4,
                            "inference call " + call);
                }
                try (TensorScope s = TensorScope.open(); NoGrad ng = NoGrad.enter()) {
                    Fixtures.assertClose(doubles(g.get("output")), m.forward(input(g)).toDoubleArray(), 1e-4, 1e-4,
                            "no-grad call " + call);
                }
            }
            // stem, depthwise, 1x1 (32 in), 3x3 (32 in), grouped (8 per group); not the 3x3 with 24 inputs
            assertEquals(5, m.oneDnnConvolutions());
            // the copy (with its channels-last max pools) agreed with the script and served the later calls
            assertEquals(1, m.inferenceCopySignatures());
        }
    }

    @Test
    void inferenceOnOneThreadKeepsResultsAndTheCallersThreadCount() throws Exception {
        JsonNode g = golden();
        Path file = SafeTensorsTest.resource(dir, "onednn_cnn.pt");
        int before = Torch.numThreads();
        Torch.setNumThreads(2);
        try {
            for (boolean oneThread : new boolean[] {true, false}) {
                NativeScript.forceOneThreadForTests(oneThread);
                try (ScriptModule m = ScriptModule.load(file)) {
                    for (int call = 0; call < 3; call++) {
                        try (TensorScope s = TensorScope.open(); InferenceMode im = InferenceMode.enter()) {
                            Fixtures.assertClose(doubles(g.get("output")), m.forward(input(g)).toDoubleArray(), 1e-4,
                                    1e-4, "call " + call + ", one thread " + oneThread);
                        }
                        assertEquals(2, Torch.numThreads(), "the calling thread's count is restored after each call");
                    }
                    assertEquals(1, m.inferenceCopySignatures());
                    assertEquals(oneThread ? 1 : 0, m.inferenceCopyOneThreadSignatures());
                    // another thread, meanwhile, keeps the process's count
                    ExecutorService other = Executors.newSingleThreadExecutor();
                    try {
                        assertEquals(2, other.submit(Torch::numThreads).get());
                    } finally {
                        other.shutdown();
                    }
                }
            }
        } finally {
            NativeScript.forceOneThreadForTests(null);
            Torch.setNumThreads(before);
        }
    }

    @Test
    void aFlattenedLinearTakesTheTransposedProductWithTheSameOutput() throws IOException {
        JsonNode g = golden();
        Path file = SafeTensorsTest.resource(dir, "onednn_cnn.pt");
        for (boolean transposed : new boolean[] {true, false}) {
            // the fixture's head is 32 x 5: below the size that pays, unless the threshold is lowered
            OneDnn.transposedLinearMinForTests(transposed ? 0 : -1);
            try (ScriptModule m = ScriptModule.load(file)) {
                for (int call = 0; call < 3; call++) {
                    try (TensorScope s = TensorScope.open(); InferenceMode im = InferenceMode.enter()) {
                        Tensor y = m.forward(input(g));
                        Fixtures.assertClose(doubles(g.get("output")), y.toDoubleArray(), 1e-4, 1e-4,
                                "call " + call + ", transposed " + transposed);
                        assertTrue(y.isContiguous(), "the head's output is contiguous, as linear's");
                    }
                }
                assertEquals(transposed ? 1 : 0, m.transposedLinears());
                assertEquals(1, m.inferenceCopySignatures(), "the copy agreed with the module");
            } finally {
                OneDnn.transposedLinearMinForTests(-1);
            }
        }
    }

    @Test
    void signaturesBeyondTheCapRunOnTheModule() throws IOException {
        JsonNode g = golden();
        double[] out = doubles(g.get("output"));
        double[] firstRow = java.util.Arrays.copyOf(out, out.length / 2);
        NativeScript.maxSignaturesForTests(1);
        try (ScriptModule m = ScriptModule.load(SafeTensorsTest.resource(dir, "onednn_cnn.pt"))) {
            for (int call = 0; call < 2; call++) {
                try (TensorScope s = TensorScope.open(); InferenceMode im = InferenceMode.enter()) {
                    Tensor x = input(g);
                    Fixtures.assertClose(out, m.forward(x).toDoubleArray(), 1e-4, 1e-4, "batch 2, call " + call);
                    // a second signature: past the cap, so the module itself answers, and nothing is judged
                    Fixtures.assertClose(firstRow, m.forward(x.narrow(0, 0, 1)).toDoubleArray(), 1e-4, 1e-4,
                            "batch 1, call " + call);
                }
            }
            assertEquals(1, m.inferenceCopySignatures(), "only the first signature was judged");
        } finally {
            NativeScript.maxSignaturesForTests(-1);
        }
    }

    @Test
    void gradientsComeFromTheModuleItself() throws IOException {
        JsonNode g = golden();
        try (ScriptModule m = ScriptModule.load(SafeTensorsTest.resource(dir, "onednn_cnn.pt"))) {
            try (TensorScope s = TensorScope.open(); InferenceMode im = InferenceMode.enter()) {
                m.forward(input(g)); // builds the copy
                m.forward(input(g));
            }
            for (int call = 0; call < 2; call++) {
                try (TensorScope s = TensorScope.open()) {
                    Tensor x = input(g).requiresGrad(true);
                    Tensor y = m.forward(x);
                    Fixtures.assertClose(doubles(g.get("output")), y.toDoubleArray(), 1e-4, 1e-4, "grad-mode output");
                    y.sum().backward();
                    Fixtures.assertClose(doubles(g.get("input_grad")), x.grad().toDoubleArray(), 1e-4, 1e-4,
                            "input gradient, call " + call);
                }
            }
        }
    }

    @Test
    void changedParametersReachInference() throws IOException {
        JsonNode g = golden();
        try (ScriptModule m = ScriptModule.load(SafeTensorsTest.resource(dir, "onednn_cnn.pt"))) {
            double[] before;
            try (TensorScope s = TensorScope.open(); InferenceMode im = InferenceMode.enter()) {
                m.forward(input(g));
                before = m.forward(input(g)).toDoubleArray();
            }
            Map<String, Tensor> params = m.namedParameters();
            try (TensorScope s = TensorScope.open(); NoGrad ng = NoGrad.enter()) {
                Tensor w = params.get("c32.weight");
                w.add_(w.copy()); // in place: doubles the weight
            }
            double[] expected;
            try (TensorScope s = TensorScope.open()) { // grad mode: the module itself
                expected = m.forward(input(g)).toDoubleArray();
            }
            try (TensorScope s = TensorScope.open(); InferenceMode im = InferenceMode.enter()) {
                double[] after = m.forward(input(g)).toDoubleArray();
                Fixtures.assertClose(expected, after, 1e-4, 1e-4, "inference after the weight changed");
                boolean changed = false;
                for (int i = 0; i < after.length; i++) {
                    changed |= Math.abs(after[i] - before[i]) > 1e-3;
                }
                assertTrue(changed, "doubling a weight changed nothing: the test would prove nothing");
            }
        }
    }

    @Test
    void concurrentInferenceAgrees() throws Exception {
        JsonNode g = golden();
        double[] want = doubles(g.get("output"));
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try (ScriptModule m = ScriptModule.load(SafeTensorsTest.resource(dir, "onednn_cnn.pt"))) {
            List<Future<double[]>> out = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                out.add(pool.submit(() -> {
                    try (TensorScope s = TensorScope.open(); InferenceMode im = InferenceMode.enter()) {
                        return m.forward(input(g)).toDoubleArray();
                    }
                }));
            }
            for (Future<double[]> f : out) {
                Fixtures.assertClose(want, f.get(), 1e-4, 1e-4, "concurrent inference");
            }
        } finally {
            pool.shutdown();
        }
    }
}
