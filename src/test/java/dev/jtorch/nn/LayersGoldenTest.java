package dev.jtorch.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jtorch.DType;
import dev.jtorch.Fixtures;
import dev.jtorch.nn.functional.F;
import dev.jtorch.tensor.Tensor;
import dev.jtorch.tensor.TensorScope;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.extension.ExtendWith;
import dev.jtorch.NoLeaks;

/**
 * Conv2d, pooling, activations, BatchNorm1d/2d and a small CNN against PyTorch's outputs and
 * gradients in {@code layers.json} (written by {@code scripts/fixtures_layers.py}). Gradients are
 * those of {@code (output * grad_output).sum()}.
 */
@ExtendWith(NoLeaks.class)
class LayersGoldenTest {
    private static final JsonNode FIX = Fixtures.load("layers.json");

    private static Stream<Arguments> cases(String section) {
        return Fixtures.list(FIX.get(section)).stream().map(c -> Arguments.of(Named.of(c.get("name").asText(), c)));
    }

    static Stream<Arguments> conv2d() {
        return cases("conv2d");
    }

    static Stream<Arguments> pool() {
        return cases("pool");
    }

    static Stream<Arguments> activation() {
        return cases("activation");
    }

    static Stream<Arguments> batchnorm() {
        return cases("batchnorm");
    }

    private static double tol(JsonNode tensor) {
        return Fixtures.dtype(tensor) == DType.FLOAT64 ? 1e-10 : 2e-5;
    }

    private static Size2d size(JsonNode pair) {
        long[] v = longs(pair);
        return new Size2d(v[0], v[1]);
    }

    private static long[] longs(JsonNode array) {
        long[] out = new long[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asLong();
        }
        return out;
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    /** Builds the module (closing it if the setup fails) with the fixture's state dict loaded. */
    private static <M extends Module> M loaded(Supplier<M> make, JsonNode stateDict, DType dtype) {
        M m = make.get();
        try {
            if (dtype == DType.FLOAT64) {
                m.to(DType.FLOAT64);
            }
            LoadResult r = m.loadStateDict(Fixtures.tensorMap(stateDict));
            assertTrue(r.missingKeys().isEmpty() && r.unexpectedKeys().isEmpty(), r.toString());
            return m;
        } catch (RuntimeException | Error e) {
            m.close();
            throw e;
        }
    }

    /** Forward on the fixture input with grad on, compares the output, backward of the weighted sum. */
    private static Tensor forwardBackward(Function<Tensor, Tensor> f, JsonNode c, String inputKey, String outputKey,
                                          String gradOutputKey) {
        Tensor x = Fixtures.tensor(c.get(inputKey)).requiresGrad(true);
        Tensor y = f.apply(x);
        JsonNode out = c.get(outputKey);
        Fixtures.assertClose(out, y, tol(out), tol(out));
        y.mul(Fixtures.tensor(c.get(gradOutputKey))).sum().backward();
        return x;
    }

    private static void assertGrad(JsonNode expected, Tensor of, String what) {
        Tensor g = of.grad();
        assertNotNull(g, what + " has no grad");
        Fixtures.assertClose(expected.get(what), g, tol(expected.get(what)), tol(expected.get(what)));
    }

    private static void assertStateDict(JsonNode expected, Module m) {
        Map<String, Tensor> sd = m.stateDict();
        assertEquals(fieldNames(expected), new ArrayList<>(sd.keySet()), "state-dict keys and order");
        for (Map.Entry<String, Tensor> e : sd.entrySet()) {
            JsonNode ex = expected.get(e.getKey());
            if (Fixtures.dtype(ex) == DType.INT64) {
                assertEquals(DType.INT64, e.getValue().dtype(), e.getKey());
                assertArrayEquals(Fixtures.shape(ex), e.getValue().shape().toArray(), e.getKey());
                assertArrayEquals(Fixtures.longValues(ex), e.getValue().toLongArray(), e.getKey());
            } else {
                try {
                    Fixtures.assertClose(ex, e.getValue(), tol(ex), tol(ex));
                } catch (AssertionError err) {
                    throw new AssertionError(e.getKey() + ": " + err.getMessage(), err);
                }
            }
        }
    }

    private static List<String> fieldNames(JsonNode object) {
        List<String> out = new ArrayList<>();
        Iterator<String> it = object.fieldNames();
        it.forEachRemaining(out::add);
        return out;
    }

    // ================================================================ Conv2d

    private static Conv2dOptions convOptions(JsonNode o) {
        return new Conv2dOptions(o.get("in_channels").asLong(), o.get("out_channels").asLong(), size(o.get("kernel_size")),
                size(o.get("stride")), size(o.get("padding")), size(o.get("dilation")), o.get("groups").asLong(),
                o.get("bias").asBoolean());
    }

    @ParameterizedTest(name = "Conv2d {0}")
    @MethodSource("conv2d")
    void conv2dForwardAndBackwardMatchPyTorch(JsonNode c) {
        DType dtype = Fixtures.dtype(c.get("input"));
        try (TensorScope s = TensorScope.open();
             Conv2d conv = loaded(() -> new Conv2d(convOptions(c.get("options"))), c.get("state_dict"), dtype)) {
            assertEquals(c.get("repr").asText(), conv.toString());
            Tensor x = forwardBackward(conv::forward, c, "input", "output", "grad_output");
            JsonNode g = c.get("grads");
            assertGrad(g, x, "input");
            Fixtures.assertClose(g.get("weight"), conv.weight().grad(), tol(g.get("weight")), tol(g.get("weight")));
            if (conv.bias() != null) {
                Fixtures.assertClose(g.get("bias"), conv.bias().grad(), tol(g.get("bias")), tol(g.get("bias")));
            } else {
                assertTrue(!g.has("bias"));
            }
        }
    }

    @ParameterizedTest(name = "F.conv2d {0}")
    @MethodSource("conv2d")
    void functionalConv2dMatchesPyTorch(JsonNode c) {
        JsonNode o = c.get("options");
        JsonNode sd = c.get("state_dict");
        try (TensorScope s = TensorScope.open()) {
            Tensor y = F.conv2d(Fixtures.tensor(c.get("input")), Fixtures.tensor(sd.get("weight")),
                    sd.has("bias") ? Fixtures.tensor(sd.get("bias")) : null, longs(o.get("stride")),
                    longs(o.get("padding")), longs(o.get("dilation")), o.get("groups").asLong());
            Fixtures.assertClose(c.get("output"), y, tol(c.get("output")), tol(c.get("output")));
        }
    }

    // ================================================================ pooling

    private static Module poolLayer(JsonNode c) {
        JsonNode a = c.get("args");
        switch (c.get("kind").asText()) {
            case "max":
                if (c.get("name").asText().equals("max_k2") || c.get("name").asText().equals("max_unbatched_k2")) {
                    return new MaxPool2d(2); // the common positional form
                }
                return new MaxPool2d(longs(a.get("kernel_size")), longs(a.get("stride")), longs(a.get("padding")),
                        longs(a.get("dilation")), a.get("ceil_mode").asBoolean());
            case "avg":
                if (a.get("count_include_pad").asBoolean() && !a.get("ceil_mode").asBoolean()) {
                    return new AvgPool2d(a.get("kernel_size").get(0).asLong(), a.get("stride").get(0).asLong(),
                            a.get("padding").get(0).asLong());
                }
                return new AvgPool2d(longs(a.get("kernel_size")), longs(a.get("stride")), longs(a.get("padding")),
                        a.get("ceil_mode").asBoolean(), a.get("count_include_pad").asBoolean());
            case "adaptive":
                long[] o = longs(a.get("output_size"));
                return o[0] == o[1] ? new AdaptiveAvgPool2d(o[0]) : new AdaptiveAvgPool2d(o[0], o[1]);
            default:
                throw new AssertionError(c.get("kind"));
        }
    }

    private static Tensor poolFunction(JsonNode c, Tensor x) {
        JsonNode a = c.get("args");
        switch (c.get("kind").asText()) {
            case "max":
                return F.maxPool2d(x, longs(a.get("kernel_size")), longs(a.get("stride")), longs(a.get("padding")),
                        longs(a.get("dilation")), a.get("ceil_mode").asBoolean());
            case "avg":
                return F.avgPool2d(x, longs(a.get("kernel_size")), longs(a.get("stride")), longs(a.get("padding")),
                        a.get("ceil_mode").asBoolean(), a.get("count_include_pad").asBoolean());
            default:
                long[] o = longs(a.get("output_size"));
                return F.adaptiveAvgPool2d(x, o[0], o[1]);
        }
    }

    @ParameterizedTest(name = "pool {0}")
    @MethodSource("pool")
    void poolingLayersMatchPyTorch(JsonNode c) {
        try (TensorScope s = TensorScope.open(); Module pool = poolLayer(c)) {
            assertEquals(c.get("repr").asText(), pool.toString());
            assertTrue(pool.stateDict().isEmpty());
            Tensor x = forwardBackward(pool::forward, c, "input", "output", "grad_output");
            Fixtures.assertClose(c.get("grad_input"), x.grad(), 1e-6, 1e-5);
        }
    }

    @ParameterizedTest(name = "F pool {0}")
    @MethodSource("pool")
    void poolingFunctionsMatchPyTorch(JsonNode c) {
        try (TensorScope s = TensorScope.open()) {
            Tensor x = forwardBackward(x0 -> poolFunction(c, x0), c, "input", "output", "grad_output");
            Fixtures.assertClose(c.get("grad_input"), x.grad(), 1e-6, 1e-5);
        }
    }

    @Test
    void squarePoolingShortcutsMatchTheGeneralForm() {
        try (TensorScope s = TensorScope.open()) {
            Tensor x = Tensor.randn(2, 3, 8, 8);
            assertArrayEquals(F.maxPool2d(x, new long[] {2, 2}, new long[] {2, 2}, new long[] {0, 0},
                    new long[] {1, 1}, false).toDoubleArray(), F.maxPool2d(x, 2).toDoubleArray());
            assertArrayEquals(F.maxPool2d(x, new long[] {3, 3}, new long[] {1, 1}, new long[] {0, 0},
                    new long[] {1, 1}, false).toDoubleArray(), F.maxPool2d(x, 3, 1).toDoubleArray());
            assertArrayEquals(F.avgPool2d(x, new long[] {2, 2}, new long[] {2, 2}, new long[] {0, 0}, false, true)
                    .toDoubleArray(), F.avgPool2d(x, 2).toDoubleArray());
            assertArrayEquals(F.adaptiveAvgPool2d(x, 3, 3).toDoubleArray(), F.adaptiveAvgPool2d(x, 3).toDoubleArray());
        }
    }

    // ================================================================ activations

    private static Module activationLayer(JsonNode c) {
        JsonNode a = c.get("args");
        switch (c.get("kind").asText()) {
            case "gelu":
                return a.get("approximate").asText().equals("none") ? new GELU() : new GELU(a.get("approximate").asText());
            case "leaky_relu":
                return a.get("negative_slope").asDouble() == 0.01 ? new LeakyReLU() : new LeakyReLU(a.get("negative_slope").asDouble());
            case "sigmoid":
                return new Sigmoid();
            case "tanh":
                return new Tanh();
            case "softmax":
                return new Softmax(a.get("dim").asInt());
            case "log_softmax":
                return new LogSoftmax(a.get("dim").asInt());
            default:
                throw new AssertionError(c.get("kind"));
        }
    }

    private static Tensor activationFunction(JsonNode c, Tensor x) {
        JsonNode a = c.get("args");
        switch (c.get("kind").asText()) {
            case "gelu":
                return a.get("approximate").asText().equals("none") ? F.gelu(x) : F.gelu(x, a.get("approximate").asText());
            case "leaky_relu":
                return a.get("negative_slope").asDouble() == 0.01 ? F.leakyRelu(x) : F.leakyRelu(x, a.get("negative_slope").asDouble());
            case "sigmoid":
                return F.sigmoid(x);
            case "tanh":
                return F.tanh(x);
            case "softmax":
                return F.softmax(x, a.get("dim").asInt());
            case "log_softmax":
                return F.logSoftmax(x, a.get("dim").asInt());
            default:
                throw new AssertionError(c.get("kind"));
        }
    }

    @ParameterizedTest(name = "activation {0}")
    @MethodSource("activation")
    void activationLayersMatchPyTorch(JsonNode c) {
        try (TensorScope s = TensorScope.open(); Module m = activationLayer(c)) {
            assertEquals(c.get("repr").asText(), m.toString());
            assertTrue(m.stateDict().isEmpty());
            Tensor x = forwardBackward(m::forward, c, "input", "output", "grad_output");
            Fixtures.assertClose(c.get("grad_input"), x.grad(), 1e-6, 1e-5);
        }
    }

    @ParameterizedTest(name = "F activation {0}")
    @MethodSource("activation")
    void activationFunctionsMatchPyTorch(JsonNode c) {
        try (TensorScope s = TensorScope.open()) {
            Tensor x = forwardBackward(x0 -> activationFunction(c, x0), c, "input", "output", "grad_output");
            Fixtures.assertClose(c.get("grad_input"), x.grad(), 1e-6, 1e-5);
        }
    }

    // ================================================================ batch norm

    private static BatchNormBase batchNorm(JsonNode c) {
        long n = c.get("num_features").asLong();
        double eps = c.get("eps").asDouble();
        Double momentum = c.get("momentum").isNull() ? null : c.get("momentum").asDouble();
        boolean affine = c.get("affine").asBoolean();
        boolean track = c.get("track_running_stats").asBoolean();
        boolean defaults = eps == 1e-5 && momentum != null && momentum == 0.1 && affine && track;
        BatchNormOptions options = new BatchNormOptions(n, eps, momentum, affine, track);
        return switch (c.get("dims").asInt()) {
            case 1 -> defaults ? new BatchNorm1d(n) : new BatchNorm1d(options);
            case 2 -> defaults ? new BatchNorm2d(n) : new BatchNorm2d(options);
            default -> defaults ? new BatchNorm3d(n) : new BatchNorm3d(options);
        };
    }

    @ParameterizedTest(name = "BatchNorm {0}")
    @MethodSource("batchnorm")
    void batchNormTrainThenEvalMatchesPyTorch(JsonNode c) {
        try (TensorScope s = TensorScope.open();
             BatchNormBase bn = loaded(() -> batchNorm(c), c.get("state_dict"), DType.FLOAT32)) {
            assertEquals(c.get("repr").asText(), bn.toString());
            assertEquals(strings(c.get("keys")), new ArrayList<>(bn.stateDict().keySet()));
            assertStateDict(c.get("state_dict"), bn);
            assertTrue(bn.isTraining());
            int step = 0;
            for (JsonNode st : Fixtures.list(c.get("train_steps"))) {
                step++;
                bn.zeroGrad();
                Tensor x = forwardBackward(bn::forward, st, "input", "output", "grad_output");
                JsonNode g = st.get("grads");
                assertGrad(g, x, "input");
                if (bn.affine()) {
                    Fixtures.assertClose(g.get("weight"), bn.weight().grad(), 2e-5, 2e-5);
                    Fixtures.assertClose(g.get("bias"), bn.bias().grad(), 2e-5, 2e-5);
                } else {
                    assertNull(bn.weight());
                    assertNull(bn.bias());
                }
                assertStateDict(st.get("state_dict_after"), bn);
                if (bn.trackRunningStats()) {
                    assertEquals(step, bn.numBatchesTracked().itemLong(), "num_batches_tracked after step " + step);
                }
            }
            if (bn.trackRunningStats()) {
                assertEquals(2, bn.numBatchesTracked().itemLong());
            } else {
                assertNull(bn.runningMean());
                assertNull(bn.numBatchesTracked());
            }
            bn.eval();
            double[] meanBefore = bn.trackRunningStats() ? bn.runningMean().toDoubleArray() : null;
            Tensor ye = bn.forward(Fixtures.tensor(c.get("eval_input")));
            Fixtures.assertClose(c.get("eval_output"), ye, 2e-5, 2e-5);
            if (bn.trackRunningStats()) {
                assertArrayEquals(meanBefore, bn.runningMean().toDoubleArray(), "eval must not touch running stats");
                assertEquals(2, bn.numBatchesTracked().itemLong(), "eval must not count batches");
            }
        }
    }

    // ================================================================ CNNs

    /** The 28x28 CNN of the benchmarks ({@code Architecture.CNN}) with a BatchNorm2d after conv1. */
    static final class SmallCNN extends Module {
        final Conv2d conv1 = register("conv1", new Conv2d(1, 32, 3));
        final BatchNorm2d bn1 = register("bn1", new BatchNorm2d(32));
        final Conv2d conv2 = register("conv2", new Conv2d(32, 64, 3));
        final Linear fc1 = register("fc1", new Linear(64 * 5 * 5, 128));
        final Linear fc2 = register("fc2", new Linear(128, 10));

        @Override
        public Tensor forward(Tensor x) {
            Tensor h = F.maxPool2d(F.relu(bn1.forward(conv1.forward(x.view(-1, 1, 28, 28)))), 2);
            h = F.maxPool2d(F.relu(conv2.forward(h)), 2);
            return fc2.forward(F.relu(fc1.forward(h.flatten(1, -1))));
        }
    }

    /** Every new layer in one graph (see {@code TinyCNN} in the fixture script). */
    static final class TinyCNN extends Module {
        final Conv2d conv1 = register("conv1", new Conv2d(1, 4, 3));
        final BatchNorm2d bn1 = register("bn1", new BatchNorm2d(4));
        final Conv2d conv2 = register("conv2", new Conv2d(4, 6, 3, 1, 1));
        final AdaptiveAvgPool2d pool = register("pool", new AdaptiveAvgPool2d(2));
        final Linear fc = register("fc", new Linear(24, 3));

        @Override
        public Tensor forward(Tensor x) {
            Tensor h = F.maxPool2d(F.leakyRelu(bn1.forward(conv1.forward(x)), 0.1), 2);
            h = F.tanh(conv2.forward(h));
            h = F.avgPool2d(F.gelu(h), 1);
            h = pool.forward(h);
            return F.logSoftmax(fc.forward(h.flatten(1, -1)), 1);
        }
    }

    @Test
    void smallCnnStateDictKeysAreThoseOfPyTorch() {
        try (SmallCNN net = new SmallCNN()) {
            List<String> keys = new ArrayList<>();
            for (JsonNode k : FIX.get("small_cnn_keys")) {
                keys.add(k.get(0).asText());
            }
            Map<String, Tensor> sd = net.stateDict();
            assertEquals(keys, new ArrayList<>(sd.keySet()));
            for (JsonNode k : FIX.get("small_cnn_keys")) {
                Tensor t = sd.get(k.get(0).asText());
                assertArrayEquals(longs(k.get(1)), t.shape().toArray(), k.get(0).asText());
                assertEquals(k.get(2).asText().equals("int64") ? DType.INT64 : DType.FLOAT32, t.dtype(), k.get(0).asText());
            }
            // buffers are state, not parameters
            assertEquals(List.of("bn1.running_mean", "bn1.running_var", "bn1.num_batches_tracked"),
                    new ArrayList<>(net.namedBuffers().keySet()));
            assertEquals(keys.size() - 3, net.parameters().size());
            try (TensorScope s = TensorScope.open()) {
                assertArrayEquals(new long[] {4, 10}, net.forward(Tensor.rand(4, 784)).shape().toArray());
            }
        }
    }

    @Test
    void tinyCnnTrainStepAndEvalMatchPyTorch() {
        JsonNode c = FIX.get("tiny_cnn");
        try (TensorScope s = TensorScope.open(); TinyCNN net = loaded(TinyCNN::new, c.get("state_dict"), DType.FLOAT32)) {
            Tensor x = forwardBackward(net::forward, c, "input", "output", "grad_output");
            JsonNode g = c.get("grads");
            assertGrad(g, x, "input");
            for (Map.Entry<String, Tensor> p : net.namedParameters().entrySet()) {
                Fixtures.assertClose(g.get(p.getKey()), p.getValue().grad(), 2e-5, 2e-5);
            }
            assertEquals(fieldNames(g).subList(1, fieldNames(g).size()), new ArrayList<>(net.namedParameters().keySet()));
            assertStateDict(c.get("state_dict_after"), net);
            net.eval();
            Fixtures.assertClose(c.get("eval_output"), net.forward(Fixtures.tensor(c.get("input"))), 2e-5, 2e-5);
        }
    }
}
