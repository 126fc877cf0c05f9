package dev.jtorch.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jtorch.DType;
import dev.jtorch.Device;
import dev.jtorch.Torch;
import dev.jtorch.TorchException;
import dev.jtorch.nn.functional.F;
import dev.jtorch.optim.SGD;
import dev.jtorch.tensor.Shape;
import dev.jtorch.tensor.Tensor;
import dev.jtorch.tensor.TensorScope;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Module registration, state dicts, modes, dtype moves, Sequential and module lifetime. */
class ModuleTest {
    /** The MNIST MLP of the README. */
    static final class SimpleNN extends Module {
        final Linear fc1 = register("fc1", new Linear(784, 128));
        final Linear fc2 = register("fc2", new Linear(128, 10));

        @Override
        public Tensor forward(Tensor x) {
            return fc2.forward(F.relu(fc1.forward(x.view(-1, 784))));
        }
    }

    /** A module whose registrations the test drives. */
    static final class Open extends Module {
        <M extends Module> M child(String name, M m) {
            return register(name, m);
        }

        Tensor param(String name, Tensor init) {
            return registerParameter(name, init);
        }

        Tensor buffer(String name, Tensor init) {
            return registerBuffer(name, init);
        }

        @Override
        public Tensor forward(Tensor input) {
            return input;
        }
    }

    private long liveBefore;
    private TensorScope scope;

    @BeforeEach
    void openScope() {
        Torch.init();
        liveBefore = Torch.liveHandles();
        scope = TensorScope.open();
    }

    @AfterEach
    void closeScopeAndCheckLeaks() {
        if (!scope.isClosed()) {
            scope.close();
        }
        assertFalse(TensorScope.isOpen(), "a test left a scope open");
        assertEquals(liveBefore, Torch.liveHandles(), "native handles leaked by this test");
    }

    private static Map<String, Tensor> copyOf(Map<String, Tensor> stateDict) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        stateDict.forEach((k, v) -> out.put(k, v.copy()));
        return out;
    }

    // ============================================================ SimpleNN

    @Test
    void simpleNNGivesLogitsPerSample() {
        try (SimpleNN model = new SimpleNN()) {
            Tensor y = model.forward(Tensor.randn(4, 1, 28, 28));
            assertEquals(Shape.of(4, 10), y.shape());
            assertEquals(DType.FLOAT32, y.dtype());
            Tensor one = model.forward(Tensor.randn(784));
            assertEquals(Shape.of(1, 10), one.shape());
            for (float v : y.toFloatArray()) {
                assertTrue(Float.isFinite(v));
            }
        }
    }

    @Test
    void namedParametersKeysOrderAndShapes() {
        try (SimpleNN model = new SimpleNN()) {
            Map<String, Tensor> p = model.namedParameters();
            assertEquals(List.of("fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"), new ArrayList<>(p.keySet()));
            assertEquals(Shape.of(128, 784), p.get("fc1.weight").shape());
            assertEquals(Shape.of(128), p.get("fc1.bias").shape());
            assertEquals(Shape.of(10, 128), p.get("fc2.weight").shape());
            assertEquals(Shape.of(10), p.get("fc2.bias").shape());
            for (Tensor t : p.values()) {
                assertTrue(t.requiresGrad());
                assertTrue(t.isLeaf());
                assertEquals(DType.FLOAT32, t.dtype());
            }
            assertSame(model.fc1.weight(), p.get("fc1.weight"));
            assertEquals(new ArrayList<>(p.values()), model.parameters());
            assertEquals(List.of("fc1", "fc2"), new ArrayList<>(model.namedChildren().keySet()));
            assertTrue(model.namedBuffers().isEmpty());
        }
    }

    @Test
    void parameterCountOfSimpleNN() {
        try (SimpleNN model = new SimpleNN()) {
            assertEquals(784 * 128 + 128 + 128 * 10 + 10, model.parameterCount());
            assertEquals(101770, model.parameterCount());
        }
    }

    @Test
    void linearInitialisationFollowsPyTorchBounds() {
        try (Linear lin = new Linear(784, 128)) {
            double k = 1 / Math.sqrt(784);
            assertTrue(lin.weight().abs().max().item() <= k + 1e-7);
            assertTrue(lin.bias().abs().max().item() <= k + 1e-7);
            assertTrue(lin.weight().abs().max().item() > 0.9 * k, "U(-k, k) over 1e5 values nearly reaches k");
        }
    }

    @Test
    void linearComputesXWtPlusB() {
        try (Linear lin = new Linear(3, 2)) {
            Tensor x = Tensor.of(new float[] {1, 2, 3, -1, 0, 1}, 2, 3);
            Tensor expected = x.matmul(lin.weight().t()).add(lin.bias());
            assertArrayEquals(expected.toFloatArray(), lin.forward(x).toFloatArray(), 1e-5f);
            assertEquals(3, lin.inFeatures());
            assertEquals(2, lin.outFeatures());
        }
    }

    @Test
    void linearWithoutBias() {
        try (Linear lin = new Linear(3, 2, false)) {
            assertNull(lin.bias());
            assertEquals(List.of("weight"), new ArrayList<>(lin.stateDict().keySet()));
            Tensor y = lin.forward(Tensor.zeros(4, 3));
            assertArrayEquals(new float[8], y.toFloatArray(), "no bias: zero in, zero out");
            assertTrue(lin.toString().contains("bias=false"), lin.toString());
        }
    }

    @Test
    void linearRejectsBadSizesAndWrongInput() {
        assertThrows(IllegalArgumentException.class, () -> new Linear(0, 3));
        assertThrows(IllegalArgumentException.class, () -> new Linear(3, -1));
        try (SimpleNN model = new SimpleNN()) {
            TorchException e = assertThrows(TorchException.class, () -> model.fc1.forward(Tensor.ones(2, 100)));
            assertTrue(e.getMessage().contains("[2, 100]"), e.getMessage());
            assertTrue(e.getMessage().contains("784"), e.getMessage());
            assertThrows(TorchException.class, () -> model.fc1.forward(Tensor.scalar(1)));
        }
    }

    // ============================================================ state dict

    @Test
    void stateDictRoundTripIntoSecondModel() {
        try (SimpleNN a = new SimpleNN(); SimpleNN b = new SimpleNN()) {
            Tensor x = Tensor.randn(3, 784);
            float[] ya = a.forward(x).toFloatArray();
            assertFalse(java.util.Arrays.equals(ya, b.forward(x).toFloatArray()), "fresh models differ");
            Map<String, Tensor> sd = a.stateDict();
            assertEquals(List.of("fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"), new ArrayList<>(sd.keySet()));
            LoadResult r = b.loadStateDict(sd);
            assertTrue(r.missingKeys().isEmpty());
            assertTrue(r.unexpectedKeys().isEmpty());
            assertArrayEquals(ya, b.forward(x).toFloatArray(), 0f);
            // b has its own storage: the parameters are equal, not shared
            assertFalse(a.fc1.weight() == b.fc1.weight());
            assertTrue(b.fc1.weight().requiresGrad(), "loading keeps parameters trainable");
            assertTrue(b.fc1.weight().isLeaf());
        }
    }

    @Test
    void loadStateDictMissingKeyIsNamed() {
        try (SimpleNN a = new SimpleNN(); SimpleNN b = new SimpleNN()) {
            Map<String, Tensor> sd = new LinkedHashMap<>(a.stateDict());
            sd.remove("fc2.bias");
            StateDictException e = assertThrows(StateDictException.class, () -> b.loadStateDict(sd));
            assertTrue(e.getMessage().contains("fc2.bias"), e.getMessage());
            assertTrue(e.getMessage().contains("missing"), e.getMessage());
            assertEquals(List.of("fc2.bias"), e.missingKeys());
            assertTrue(e.unexpectedKeys().isEmpty());
            assertTrue(e.shapeMismatches().isEmpty());
        }
    }

    @Test
    void loadStateDictUnexpectedKeyIsNamed() {
        try (SimpleNN a = new SimpleNN(); SimpleNN b = new SimpleNN()) {
            Map<String, Tensor> sd = new LinkedHashMap<>(a.stateDict());
            sd.put("fc3.weight", Tensor.zeros(2, 2));
            StateDictException e = assertThrows(StateDictException.class, () -> b.loadStateDict(sd));
            assertTrue(e.getMessage().contains("fc3.weight"), e.getMessage());
            assertTrue(e.getMessage().contains("unexpected"), e.getMessage());
            assertEquals(List.of("fc3.weight"), e.unexpectedKeys());
            assertTrue(e.missingKeys().isEmpty());
            assertTrue(e instanceof TorchException);
        }
    }

    @Test
    void loadStateDictShapeMismatchNamesKeyAndBothShapes() {
        try (SimpleNN b = new SimpleNN()) {
            Map<String, Tensor> sd = copyOf(b.stateDict());
            sd.put("fc2.weight", Tensor.zeros(12, 128));
            StateDictException e = assertThrows(StateDictException.class, () -> b.loadStateDict(sd));
            String m = e.getMessage();
            assertTrue(m.contains("fc2.weight"), m);
            assertTrue(m.contains("[10, 128]"), "expected shape missing: " + m);
            assertTrue(m.contains("[12, 128]"), "given shape missing: " + m);
            assertEquals(1, e.shapeMismatches().size());
            // a shape mismatch is an error even when not strict
            assertThrows(StateDictException.class, () -> b.loadStateDict(sd, false));
        }
    }

    @Test
    void loadStateDictReportsEveryProblemAtOnce() {
        try (SimpleNN b = new SimpleNN()) {
            Map<String, Tensor> sd = copyOf(b.stateDict());
            sd.remove("fc1.bias");
            sd.put("extra", Tensor.zeros(1));
            sd.put("fc2.bias", Tensor.zeros(11));
            StateDictException e = assertThrows(StateDictException.class, () -> b.loadStateDict(sd));
            assertEquals(List.of("fc1.bias"), e.missingKeys());
            assertEquals(List.of("extra"), e.unexpectedKeys());
            assertEquals(1, e.shapeMismatches().size());
            assertTrue(e.shapeMismatches().get(0).startsWith("fc2.bias"), e.shapeMismatches().toString());
        }
    }

    @Test
    void nonStrictLoadReturnsKeysAndLoadsTheRest() {
        try (SimpleNN a = new SimpleNN(); SimpleNN b = new SimpleNN()) {
            float[] bFc2Bias = b.fc2.bias().toFloatArray();
            Map<String, Tensor> sd = new LinkedHashMap<>(a.stateDict());
            sd.remove("fc2.bias");
            sd.put("head.weight", Tensor.ones(3));
            LoadResult r = b.loadStateDict(sd, false);
            assertEquals(List.of("fc2.bias"), r.missingKeys());
            assertEquals(List.of("head.weight"), r.unexpectedKeys());
            assertArrayEquals(a.fc1.weight().toFloatArray(), b.fc1.weight().toFloatArray(), 0f);
            assertArrayEquals(a.fc1.bias().toFloatArray(), b.fc1.bias().toFloatArray(), 0f);
            assertArrayEquals(a.fc2.weight().toFloatArray(), b.fc2.weight().toFloatArray(), 0f);
            assertArrayEquals(bFc2Bias, b.fc2.bias().toFloatArray(), 0f, "a missing key is left unchanged");
        }
    }

    @Test
    void failedLoadModifiesNothing() {
        try (SimpleNN a = new SimpleNN(); SimpleNN b = new SimpleNN()) {
            Map<String, float[]> before = new HashMap<>();
            b.stateDict().forEach((k, v) -> before.put(k, v.toFloatArray()));
            Map<String, Tensor> sd = new LinkedHashMap<>(a.stateDict());
            sd.put("fc2.bias", Tensor.zeros(3)); // the last key is wrong; earlier ones are fine
            assertThrows(StateDictException.class, () -> b.loadStateDict(sd));
            Map<String, Tensor> strictFail = new LinkedHashMap<>(a.stateDict());
            strictFail.put("unknown", Tensor.zeros(1));
            assertThrows(StateDictException.class, () -> b.loadStateDict(strictFail));
            b.stateDict().forEach((k, v) -> assertArrayEquals(before.get(k), v.toFloatArray(), 0f, k + " was modified"));
        }
    }

    @Test
    void loadConvertsFloat64SourceIntoFloat32Model() {
        try (SimpleNN b = new SimpleNN()) {
            Map<String, Tensor> sd = new LinkedHashMap<>();
            sd.put("fc1.weight", Tensor.full(Shape.of(128, 784), 0.25, DType.FLOAT64, Device.CPU));
            sd.put("fc1.bias", Tensor.full(Shape.of(128), -0.5, DType.FLOAT64, Device.CPU));
            sd.put("fc2.weight", Tensor.full(Shape.of(10, 128), 0.125, DType.FLOAT64, Device.CPU));
            sd.put("fc2.bias", Tensor.full(Shape.of(10), 2, DType.FLOAT64, Device.CPU));
            b.loadStateDict(sd);
            for (Tensor p : b.parameters()) {
                assertEquals(DType.FLOAT32, p.dtype(), "load must keep the module's dtype");
            }
            assertEquals(0.25, b.fc1.weight().min().item(), 0.0);
            assertEquals(0.25, b.fc1.weight().max().item(), 0.0);
            assertEquals(-0.5, b.fc1.bias().max().item(), 0.0);
            // x = ones: fc1 = 784*0.25 - 0.5 = 195.5, relu keeps it; fc2 = 128*195.5*0.125 + 2 = 3130
            Tensor y = b.forward(Tensor.ones(1, 784));
            assertArrayEquals(filled(10, 3130f), y.toFloatArray(), 1e-2f);
        }
    }

    private static float[] filled(int n, float v) {
        float[] a = new float[n];
        java.util.Arrays.fill(a, v);
        return a;
    }

    // ============================================================ modes and dtype

    @Test
    void trainAndEvalAreRecursive() {
        Sequential inner = Sequential.of(new Linear(2, 2), new ReLU());
        try (Sequential outer = Sequential.of(new Linear(2, 2), inner)) {
            assertTrue(outer.isTraining());
            assertSame(outer, outer.eval());
            assertFalse(outer.isTraining());
            assertFalse(inner.isTraining());
            for (Module m : inner.layers()) {
                assertFalse(m.isTraining(), m + " still training");
            }
            assertFalse(outer.layers().get(0).isTraining());
            outer.train();
            assertTrue(inner.layers().get(1).isTraining());
            inner.train(false);
            assertTrue(outer.isTraining());
            assertFalse(inner.isTraining());
            assertFalse(inner.layers().get(0).isTraining());
        }
    }

    @Test
    void toFloat64ConvertsInPlaceAndOptimizerStillWorks() {
        try (SimpleNN model = new SimpleNN()) {
            List<Tensor> params = model.parameters();
            try (SGD sgd = new SGD(params, 0.1)) {
                Tensor x = Tensor.randn(8, 784);
                Tensor target = Tensor.of(new long[] {0, 1, 2, 3, 4, 5, 6, 7}, 8);
                // one float32 step before the conversion
                F.crossEntropy(model.forward(x), target).backward();
                sgd.step();
                sgd.zeroGrad();

                assertSame(model, model.to(DType.FLOAT64));
                List<Tensor> after = model.parameters();
                for (int i = 0; i < params.size(); i++) {
                    assertSame(params.get(i), after.get(i), "to() must convert in place");
                    assertEquals(DType.FLOAT64, after.get(i).dtype());
                    assertTrue(after.get(i).requiresGrad());
                }
                Tensor x64 = x.to(DType.FLOAT64);
                float[] w0 = model.fc1.weight().toFloatArray();
                double loss0 = F.crossEntropy(model.forward(x64), target).item();
                for (int step = 0; step < 5; step++) {
                    try (TensorScope s = TensorScope.open()) {
                        Tensor out = model.forward(x64);
                        assertEquals(DType.FLOAT64, out.dtype());
                        F.crossEntropy(out, target).backward();
                        sgd.step();
                        sgd.zeroGrad();
                    }
                }
                double loss1 = F.crossEntropy(model.forward(x64), target).item();
                assertFalse(java.util.Arrays.equals(w0, model.fc1.weight().toFloatArray()),
                        "the optimizer built before to() must update the converted parameters");
                assertTrue(loss1 < loss0, "loss " + loss0 + " -> " + loss1);
            }
        }
    }

    @Test
    void toFloat64AlsoConvertsExistingGradients() {
        try (SimpleNN model = new SimpleNN()) {
            model.forward(Tensor.randn(2, 784)).sum().backward();
            float[] g = model.fc2.bias().grad().toFloatArray();
            model.to(DType.FLOAT64);
            Tensor grad = model.fc2.bias().grad();
            assertEquals(DType.FLOAT64, grad.dtype());
            assertArrayEquals(g, grad.toFloatArray(), 0f);
            model.to(DType.FLOAT32);
            assertEquals(DType.FLOAT32, model.fc2.bias().grad().dtype());
            assertEquals(DType.FLOAT32, model.fc2.bias().dtype());
        }
    }

    @Test
    void toRejectsIntegerDtype() {
        try (SimpleNN model = new SimpleNN()) {
            assertThrows(IllegalArgumentException.class, () -> model.to(DType.INT64));
            assertEquals(DType.FLOAT32, model.fc1.weight().dtype());
        }
    }

    @Test
    void zeroGradClearsGradients() {
        try (SimpleNN model = new SimpleNN()) {
            model.forward(Tensor.randn(2, 784)).sum().backward();
            assertTrue(model.fc1.weight().grad() != null);
            model.zeroGrad();
            for (Tensor p : model.parameters()) {
                assertNull(p.grad());
            }
        }
    }

    // ============================================================ Sequential

    @Test
    void sequentialKeysMatchPyTorch() {
        try (Sequential net = Sequential.of(new Flatten(), new Linear(784, 128), new ReLU(), new Linear(128, 10))) {
            assertEquals(List.of("1.weight", "1.bias", "3.weight", "3.bias"), new ArrayList<>(net.stateDict().keySet()));
            assertEquals(4, net.size());
            assertEquals(List.of("0", "1", "2", "3"), new ArrayList<>(net.namedChildren().keySet()));
            assertEquals(101770, net.parameterCount());
            Tensor y = net.forward(Tensor.randn(5, 1, 28, 28));
            assertEquals(Shape.of(5, 10), y.shape());
        }
    }

    @Test
    void sequentialStateDictLoadsIntoSimpleNNByRenaming() {
        try (Sequential net = Sequential.of(new Flatten(), new Linear(784, 128), new ReLU(), new Linear(128, 10));
             SimpleNN simple = new SimpleNN()) {
            Map<String, Tensor> sd = net.stateDict();
            Map<String, Tensor> renamed = new LinkedHashMap<>();
            renamed.put("fc1.weight", sd.get("1.weight"));
            renamed.put("fc1.bias", sd.get("1.bias"));
            renamed.put("fc2.weight", sd.get("3.weight"));
            renamed.put("fc2.bias", sd.get("3.bias"));
            simple.loadStateDict(renamed);
            Tensor x = Tensor.randn(2, 1, 28, 28);
            assertArrayEquals(net.forward(x).toFloatArray(), simple.forward(x).toFloatArray(), 1e-6f);
        }
    }

    @Test
    void sequentialWithLambda() {
        try (Sequential net = new Sequential().add(new Linear(4, 3)).add(F::relu).add(t -> t.mul(2))) {
            assertEquals(3, net.size());
            assertEquals(List.of("0.weight", "0.bias"), new ArrayList<>(net.stateDict().keySet()));
            Tensor x = Tensor.randn(6, 4);
            Tensor y = net.forward(x);
            Linear lin = (Linear) net.layers().get(0);
            float[] expected = F.relu(lin.forward(x)).mul(2).toFloatArray();
            assertArrayEquals(expected, y.toFloatArray(), 1e-6f);
            for (float v : y.toFloatArray()) {
                assertTrue(v >= 0);
            }
        }
    }

    @Test
    void sequentialLayersAreReadOnly() {
        try (Sequential net = Sequential.of(new ReLU())) {
            assertThrows(UnsupportedOperationException.class, () -> net.layers().add(new ReLU()));
            assertThrows(UnsupportedOperationException.class, () -> net.namedChildren().clear());
        }
    }

    // ============================================================ registration

    @Test
    void duplicateAndDottedNamesRejected() {
        Linear first = new Linear(2, 2);
        Linear second = new Linear(2, 2);
        try (Open m = new Open()) {
            m.child("a", first);
            IllegalArgumentException dup = assertThrows(IllegalArgumentException.class, () -> m.child("a", second));
            assertTrue(dup.getMessage().contains("'a'"), dup.getMessage());
            IllegalArgumentException dot = assertThrows(IllegalArgumentException.class, () -> m.child("b.c", second));
            assertTrue(dot.getMessage().contains("b.c"), dot.getMessage());
            assertThrows(IllegalArgumentException.class, () -> m.child("", second));
            assertThrows(IllegalArgumentException.class, () -> m.child(null, second));
            assertThrows(IllegalArgumentException.class, () -> m.child("self", m));
            assertThrows(IllegalArgumentException.class, () -> m.param("a", Tensor.ones(1)));
            assertThrows(IllegalArgumentException.class, () -> m.buffer("x.y", Tensor.ones(1)));
            assertEquals(List.of("a"), new ArrayList<>(m.namedChildren().keySet()));
        } finally {
            second.close();
        }
        assertTrue(first.isClosed(), "the registered child is closed with its parent");
    }

    @Test
    void customParametersAndBuffersOrderInStateDict() {
        try (Open m = new Open()) {
            Tensor init = Tensor.of(new float[] {1, 2}, 2);
            Tensor p = m.param("scale", init);
            Tensor b = m.buffer("count", Tensor.zeros(1));
            m.child("lin", new Linear(2, 1));
            assertTrue(p.requiresGrad());
            assertTrue(p.isLeaf());
            assertFalse(b.requiresGrad());
            assertEquals(List.of("scale", "count", "lin.weight", "lin.bias"), new ArrayList<>(m.stateDict().keySet()));
            assertEquals(List.of("scale", "lin.weight", "lin.bias"), new ArrayList<>(m.namedParameters().keySet()));
            assertEquals(List.of("count"), new ArrayList<>(m.namedBuffers().keySet()));
            init.close();
            assertArrayEquals(new float[] {1, 2}, p.toFloatArray(), "the parameter has its own handle");
            assertEquals(2 + 2 + 1, m.parameterCount());
        }
    }

    // ============================================================ lifetime

    @Test
    void closingModuleFreesItsHandles() {
        long before = Torch.liveHandles();
        SimpleNN model = new SimpleNN();
        long alive = Torch.liveHandles();
        assertTrue(alive > before, "a model holds native handles");
        List<Tensor> params = model.parameters();
        model.close();
        assertTrue(model.isClosed());
        assertEquals(before, Torch.liveHandles(), "close() must free every handle of the model");
        for (Tensor p : params) {
            assertTrue(p.isClosed());
        }
        model.close();
        assertEquals(before, Torch.liveHandles(), "close() is idempotent");
    }

    @Test
    void useAfterCloseThrowsIllegalState() {
        SimpleNN model = new SimpleNN();
        Tensor w = model.fc1.weight();
        model.close();
        Tensor x = Tensor.ones(1, 784);
        assertThrows(IllegalStateException.class, () -> model.forward(x));
        assertThrows(IllegalStateException.class, model::stateDict);
        assertThrows(IllegalStateException.class, () -> model.to(DType.FLOAT64));
        assertThrows(IllegalStateException.class, () -> model.fc1.weight());
        assertThrows(IllegalStateException.class, () -> model.loadStateDict(Map.of()));
        assertThrows(IllegalStateException.class, w::toFloatArray);
        assertThrows(IllegalStateException.class, () -> w.add(1));
        assertThrows(IllegalStateException.class, () -> F.linear(x, w, null));
        try (Sequential seq = Sequential.of(new ReLU())) {
            seq.close();
            assertThrows(IllegalStateException.class, () -> seq.forward(x));
        }
    }

    /**
     * Module.forward documents "@throws IllegalStateException if ... the module is closed"; layers
     * without native state (ReLU, Flatten, Sequential's lambdas) must honour it too, or a closed
     * model built from them silently keeps working.
     */
    @Test
    void statelessLayersThrowAfterClose() {
        Tensor x = Tensor.ones(2, 3);
        ReLU relu = new ReLU();
        relu.close();
        assertThrows(IllegalStateException.class, () -> relu.forward(x), "ReLU.forward after close()");
        Flatten flatten = new Flatten();
        flatten.close();
        assertThrows(IllegalStateException.class, () -> flatten.forward(x), "Flatten.forward after close()");
    }

    /**
     * A closed layer still describes itself (its repr is configuration, not tensors): the flags its
     * repr prints about the weight and bias answer without handing out the closed parameters.
     */
    @Test
    void closedLayersKeepTheirRepr() {
        Linear linear = new Linear(3, 2, false);
        LayerNorm layerNorm = new LayerNorm(4);
        RMSNorm rmsNorm = new RMSNorm(new long[] {4}, 1e-6, false);
        GroupNorm groupNorm = new GroupNorm(2, 4, 1e-5, false);
        BatchNorm2d batchNorm = new BatchNorm2d(3);
        List<Module> layers = List.of(linear, layerNorm, rmsNorm, groupNorm, batchNorm);
        List<String> open = new ArrayList<>();
        for (Module m : layers) {
            open.add(m.toString());
            m.close();
        }
        for (int i = 0; i < layers.size(); i++) {
            assertEquals(open.get(i), layers.get(i).toString());
        }
        assertEquals("Linear(in_features=3, out_features=2, bias=false)", open.get(0));
        assertEquals("LayerNorm((4,), eps=1e-05, elementwise_affine=True)", open.get(1));
        assertEquals("RMSNorm((4,), eps=1e-06, elementwise_affine=False)", open.get(2));
        assertEquals("GroupNorm(2, 4, eps=1e-05, affine=False)", open.get(3));
        assertFalse(groupNorm.affine());
        assertTrue(batchNorm.affine());
        assertThrows(IllegalStateException.class, linear::weight);
    }

    @Test
    void closingParameterDirectlyThrows() {
        try (SimpleNN model = new SimpleNN()) {
            Tensor w = model.fc1.weight();
            IllegalStateException e = assertThrows(IllegalStateException.class, w::close);
            assertTrue(e.getMessage().contains("weight"), e.getMessage());
            assertFalse(w.isClosed());
            assertEquals(Shape.of(128, 784), w.shape());
            assertEquals(Shape.of(3, 10), model.forward(Tensor.ones(3, 784)).shape(), "the model still works");
        }
    }

    @Test
    void closingBufferOrCustomParameterDirectlyThrows() {
        try (Open m = new Open()) {
            Tensor p = m.param("p", Tensor.ones(2));
            Tensor b = m.buffer("b", Tensor.ones(2));
            assertThrows(IllegalStateException.class, p::close);
            assertThrows(IllegalStateException.class, b::close);
            assertFalse(p.isClosed());
            assertFalse(b.isClosed());
        }
    }

    @Test
    void toStringShowsTheTree() {
        try (SimpleNN model = new SimpleNN();
             Sequential seq = Sequential.of(new Flatten(), new Linear(784, 128), new ReLU(), new Linear(128, 10))) {
            String s = model.toString();
            assertTrue(s.startsWith("SimpleNN("), s);
            assertTrue(s.contains("(fc1): Linear(in_features=784, out_features=128, bias=true)"), s);
            assertTrue(s.contains("(fc2): Linear(in_features=128, out_features=10, bias=true)"), s);
            assertTrue(s.indexOf("(fc1)") < s.indexOf("(fc2)"), s);
            assertTrue(s.endsWith(")"), s);
            String q = seq.toString();
            assertTrue(q.startsWith("Sequential("), q);
            assertTrue(q.contains("(0): Flatten(start_dim=1, end_dim=-1)"), q);
            assertTrue(q.contains("(2): ReLU()"), q);
            assertTrue(q.contains("(3): Linear(in_features=128, out_features=10, bias=true)"), q);
        }
    }

    @Test
    void nestedToStringIndents() {
        try (Sequential outer = Sequential.of(Sequential.of(new ReLU()))) {
            String s = outer.toString();
            assertTrue(s.contains("\n  (0): Sequential(\n    (0): ReLU()\n  )"), s);
        }
    }

    @Test
    void flattenModuleShapes() {
        try (Flatten f = new Flatten(); Flatten all = new Flatten(0, -1)) {
            assertEquals(Shape.of(2, 12), f.forward(Tensor.zeros(2, 3, 4)).shape());
            assertEquals(Shape.of(24), all.forward(Tensor.zeros(2, 3, 4)).shape());
            assertEquals(0, f.parameterCount());
        }
    }
}
