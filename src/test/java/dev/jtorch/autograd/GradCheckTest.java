package dev.jtorch.autograd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jtorch.DType;
import dev.jtorch.Fixtures;
import dev.jtorch.Torch;
import dev.jtorch.nn.Linear;
import dev.jtorch.nn.Module;
import dev.jtorch.nn.ReLU;
import dev.jtorch.nn.Sequential;
import dev.jtorch.nn.functional.F;
import dev.jtorch.nn.functional.Reduction;
import dev.jtorch.tensor.Tensor;
import dev.jtorch.tensor.TensorScope;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.extension.ExtendWith;
import dev.jtorch.NoLeaks;

/**
 * Analytic gradients from {@code backward()} against central finite differences in float64, and
 * the grad-mode controls ({@link NoGrad}, {@code detach}).
 */
@ExtendWith(NoLeaks.class)
class GradCheckTest {
    private static final double EPS = 1e-6;
    private static final double TOL = 1e-6;

    // ================================================================ machinery

    /** A scalar function of some float64 tensors. */
    @FunctionalInterface
    interface ScalarFn {
        Tensor apply(List<Tensor> inputs);
    }

    /** One input: its values (perturbed in place, then restored) and shape. */
    record Input(String name, double[] values, long... shape) {}

    private static double[] randn(Random rnd, int n, double scale) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = rnd.nextGaussian() * scale;
        }
        return v;
    }

    private static List<Tensor> make(List<Input> inputs, boolean grad) {
        List<Tensor> ts = new ArrayList<>();
        for (Input in : inputs) {
            Tensor t = Tensor.of(in.values(), in.shape());
            ts.add(grad ? t.requiresGrad(true) : t);
        }
        return ts;
    }

    private static double eval(ScalarFn f, List<Input> inputs) {
        try (TensorScope s = TensorScope.open()) {
            Tensor out = f.apply(make(inputs, false));
            assertEquals(0, out.dim(), "the checked function must return a scalar");
            return out.item();
        }
    }

    /** Asserts that backward() through {@code f} agrees with central differences for every input. */
    private static void gradCheck(String what, ScalarFn f, Input... inputs) {
        List<Input> list = List.of(inputs);
        List<double[]> analytic = new ArrayList<>();
        try (TensorScope s = TensorScope.open()) {
            List<Tensor> ts = make(list, true);
            Tensor out = f.apply(ts);
            assertEquals(DType.FLOAT64, out.dtype());
            assertTrue(out.requiresGrad(), what + ": output does not require grad");
            out.backward();
            for (int i = 0; i < ts.size(); i++) {
                Tensor g = ts.get(i).grad();
                assertNotNull(g, what + ": no gradient for " + list.get(i).name());
                analytic.add(g.toDoubleArray());
            }
        }
        for (int i = 0; i < list.size(); i++) {
            double[] x = list.get(i).values();
            double[] numeric = new double[x.length];
            for (int j = 0; j < x.length; j++) {
                double orig = x[j];
                x[j] = orig + EPS;
                double fp = eval(f, list);
                x[j] = orig - EPS;
                double fm = eval(f, list);
                x[j] = orig;
                numeric[j] = (fp - fm) / (2 * EPS);
            }
            Fixtures.assertClose(numeric, analytic.get(i), TOL, TOL, what + ", d/d" + list.get(i).name());
        }
    }

    /**
     * Gradient check of a module's loss with respect to each of its parameters: analytic from
     * backward(), numeric by loading perturbed values with loadStateDict.
     */
    private static void moduleGradCheck(String what, Module m, ScalarFn lossOfOutput, Input x) {
        Map<String, double[]> values = new LinkedHashMap<>();
        Map<String, long[]> shapes = new LinkedHashMap<>();
        m.namedParameters().forEach((k, p) -> {
            values.put(k, p.toDoubleArray());
            shapes.put(k, p.shape().toArray());
        });
        Map<String, double[]> analytic = new LinkedHashMap<>();
        double[] analyticInput;
        try (TensorScope s = TensorScope.open()) {
            m.zeroGrad();
            Tensor in = Tensor.of(x.values(), x.shape()).requiresGrad(true);
            lossOfOutput.apply(List.of(m.forward(in))).backward();
            m.namedParameters().forEach((k, p) -> {
                Tensor g = p.grad();
                assertNotNull(g, what + ": no gradient for " + k);
                analytic.put(k, g.toDoubleArray());
            });
            analyticInput = in.grad().toDoubleArray();
        }
        Runnable load = () -> {
            try (TensorScope s = TensorScope.open()) {
                Map<String, Tensor> sd = new LinkedHashMap<>();
                values.forEach((k, v) -> sd.put(k, Tensor.of(v, shapes.get(k))));
                m.loadStateDict(sd);
            }
        };
        java.util.function.DoubleSupplier loss = () -> {
            try (TensorScope s = TensorScope.open(); NoGrad g = NoGrad.enter()) {
                return lossOfOutput.apply(List.of(m.forward(Tensor.of(x.values(), x.shape())))).item();
            }
        };
        for (Map.Entry<String, double[]> e : values.entrySet()) {
            double[] v = e.getValue();
            double[] numeric = new double[v.length];
            for (int j = 0; j < v.length; j++) {
                double orig = v[j];
                v[j] = orig + EPS;
                load.run();
                double fp = loss.getAsDouble();
                v[j] = orig - EPS;
                load.run();
                double fm = loss.getAsDouble();
                v[j] = orig;
                numeric[j] = (fp - fm) / (2 * EPS);
            }
            load.run();
            Fixtures.assertClose(numeric, analytic.get(e.getKey()), TOL, TOL, what + ", d/d" + e.getKey());
        }
        double[] xv = x.values();
        double[] numeric = new double[xv.length];
        for (int j = 0; j < xv.length; j++) {
            double orig = xv[j];
            xv[j] = orig + EPS;
            double fp = loss.getAsDouble();
            xv[j] = orig - EPS;
            double fm = loss.getAsDouble();
            xv[j] = orig;
            numeric[j] = (fp - fm) / (2 * EPS);
        }
        Fixtures.assertClose(numeric, analyticInput, TOL, TOL, what + ", d/dinput");
    }

    // ================================================================ functional ops

    @ParameterizedTest(name = "softmax dim {0}")
    @ValueSource(ints = {0, 1, -1})
    void softmaxWeightedSum(int dim) {
        Random rnd = new Random(100 + dim);
        Input x = new Input("x", randn(rnd, 12, 2), 3, 4);
        Input w = new Input("w", randn(rnd, 12, 1), 3, 4);
        gradCheck("softmax", ts -> F.softmax(ts.get(0), dim).mul(ts.get(1)).sum(), x, w);
    }

    @ParameterizedTest(name = "logSoftmax dim {0}")
    @ValueSource(ints = {0, 1, -1})
    void logSoftmaxWeightedSum(int dim) {
        Random rnd = new Random(200 + dim);
        Input x = new Input("x", randn(rnd, 12, 2), 3, 4);
        Input w = new Input("w", randn(rnd, 12, 1), 3, 4);
        gradCheck("logSoftmax", ts -> F.logSoftmax(ts.get(0), dim).mul(ts.get(1)).sum(), x, w);
    }

    @Test
    void softmaxOf3dTensor() {
        Random rnd = new Random(7);
        Input x = new Input("x", randn(rnd, 24, 1.5), 2, 3, 4);
        Input w = new Input("w", randn(rnd, 24, 1), 2, 3, 4);
        gradCheck("softmax 3d", ts -> F.softmax(ts.get(0), 1).mul(ts.get(1)).sum(), x, w);
    }

    @ParameterizedTest(name = "crossEntropy {0}")
    @EnumSource(Reduction.class)
    void crossEntropyWrtLogits(Reduction reduction) {
        Random rnd = new Random(300 + reduction.ordinal());
        Input logits = new Input("logits", randn(rnd, 20, 2), 5, 4);
        Input w = new Input("w", randn(rnd, 5, 1), 5);
        long[] target = {3, 0, 1, 1, 2};
        gradCheck("crossEntropy " + reduction, ts -> {
            Tensor loss = F.crossEntropy(ts.get(0), Tensor.of(target, 5), reduction);
            // NONE gives per-sample losses: weight them to get a scalar with a non-trivial gradient
            return reduction == Reduction.NONE ? loss.mul(ts.get(1)).sum() : loss;
        }, reduction == Reduction.NONE ? new Input[] {logits, w} : new Input[] {logits});
    }

    @Test
    void reluAwayFromZero() {
        Random rnd = new Random(400);
        double[] v = randn(rnd, 15, 1);
        for (int i = 0; i < v.length; i++) {
            // keep every entry at least 0.1 away from the kink
            v[i] = Math.copySign(Math.abs(v[i]) + 0.1, v[i]);
        }
        Input x = new Input("x", v, 3, 5);
        Input w = new Input("w", randn(rnd, 15, 1), 3, 5);
        gradCheck("relu", ts -> F.relu(ts.get(0)).mul(ts.get(1)).sum(), x, w);
        // the gradient is exactly w where x > 0 and 0 where x < 0
        try (TensorScope s = TensorScope.open()) {
            Tensor xt = Tensor.of(x.values(), x.shape()).requiresGrad(true);
            F.relu(xt).mul(Tensor.of(w.values(), w.shape())).sum().backward();
            double[] g = xt.grad().toDoubleArray();
            for (int i = 0; i < v.length; i++) {
                assertEquals(v[i] > 0 ? w.values()[i] : 0.0, g[i], 0.0, "relu grad at " + i);
            }
        }
    }

    @Test
    void matmul() {
        Random rnd = new Random(500);
        Input a = new Input("a", randn(rnd, 12, 1), 3, 4);
        Input b = new Input("b", randn(rnd, 8, 1), 4, 2);
        Input w = new Input("w", randn(rnd, 6, 1), 3, 2);
        gradCheck("matmul", ts -> ts.get(0).matmul(ts.get(1)).mul(ts.get(2)).sum(), a, b, w);
    }

    @Test
    void batchedMatmulWithBroadcast() {
        Random rnd = new Random(501);
        Input a = new Input("a", randn(rnd, 24, 1), 2, 3, 4);
        Input b = new Input("b", randn(rnd, 8, 1), 4, 2);
        gradCheck("bmm", ts -> ts.get(0).matmul(ts.get(1)).pow(2).sum(), a, b);
    }

    @Test
    void functionalLinear() {
        Random rnd = new Random(600);
        Input x = new Input("x", randn(rnd, 15, 1), 3, 5);
        Input wt = new Input("weight", randn(rnd, 20, 1), 4, 5);
        Input b = new Input("bias", randn(rnd, 4, 1), 4);
        Input w = new Input("w", randn(rnd, 12, 1), 3, 4);
        gradCheck("F.linear", ts -> F.linear(ts.get(0), ts.get(1), ts.get(2)).mul(ts.get(3)).sum(), x, wt, b, w);
    }

    @Test
    void elementwiseChain() {
        Random rnd = new Random(601);
        double[] v = randn(rnd, 6, 1);
        for (int i = 0; i < v.length; i++) {
            v[i] = Math.abs(v[i]) + 0.5; // log and sqrt need positive input
        }
        Input x = new Input("x", v, 2, 3);
        gradCheck("exp/log/sqrt/div", ts -> {
            Tensor t = ts.get(0);
            return t.exp().add(t.log()).sub(t.sqrt().div(t.add(1))).mean();
        }, x);
    }

    // ================================================================ modules

    @Test
    void linearModuleInputWeightAndBias() {
        Torch.manualSeed(7);
        Random rnd = new Random(700);
        try (Linear layer = new Linear(5, 3)) {
            layer.to(DType.FLOAT64);
            double[] w = randn(rnd, 6, 1);
            moduleGradCheck("Linear", layer,
                    ts -> ts.get(0).mul(Tensor.of(w, 2, 3)).sum(),
                    new Input("x", randn(rnd, 10, 1), 2, 5));
        }
    }

    static final class Mlp extends Module {
        final Linear fc1 = register("fc1", new Linear(4, 6));
        final Linear fc2 = register("fc2", new Linear(6, 3));

        @Override
        public Tensor forward(Tensor x) {
            return fc2.forward(F.relu(fc1.forward(x)));
        }
    }

    @ParameterizedTest(name = "reduction {0}")
    @EnumSource(value = Reduction.class, names = {"MEAN", "SUM"})
    void twoLayerMlpLossWrtEveryParameter(Reduction reduction) {
        Torch.manualSeed(11);
        long[] target = {0, 2, 1, 2, 0};
        try (Mlp net = new Mlp()) {
            net.to(DType.FLOAT64);
            Input x = new Input("x", randn(new Random(800), 20, 1), 5, 4);
            assertAwayFromKink(net, x);
            moduleGradCheck("MLP " + reduction, net,
                    ts -> F.crossEntropy(ts.get(0), Tensor.of(target, 5), reduction), x);
        }
    }

    @Test
    void sequentialMlpWrtEveryParameter() {
        Torch.manualSeed(12);
        long[] target = {1, 0, 2};
        try (Sequential net = Sequential.of(new Linear(4, 5), new ReLU(), new Linear(5, 3))) {
            net.to(DType.FLOAT64);
            Input x = new Input("x", randn(new Random(900), 12, 1), 3, 4);
            moduleGradCheck("Sequential", net, ts -> F.crossEntropy(ts.get(0), Tensor.of(target, 3)), x);
        }
    }

    /** Fails the setup (not the check) if a hidden pre-activation is so near 0 that relu's kink spoils differences. */
    private static void assertAwayFromKink(Mlp net, Input x) {
        try (TensorScope s = TensorScope.open(); NoGrad g = NoGrad.enter()) {
            for (double z : net.fc1.forward(Tensor.of(x.values(), x.shape())).toDoubleArray()) {
                assertTrue(Math.abs(z) > 1e-4, "pre-activation " + z + " too close to 0 for finite differences");
            }
        }
    }

    // ================================================================ grad mode

    @Test
    void noGradDisablesRecording() {
        try (TensorScope s = TensorScope.open()) {
            Tensor x = Tensor.of(new double[] {1, 2, 3}, 3).requiresGrad(true);
            assertTrue(NoGrad.isGradEnabled());
            Tensor inside;
            try (NoGrad g = NoGrad.enter()) {
                assertFalse(NoGrad.isGradEnabled());
                inside = x.mul(2).add(1);
                assertFalse(inside.requiresGrad(), "no graph is recorded under NoGrad");
                assertTrue(x.requiresGrad(), "the leaf keeps its flag");
                try (NoGrad nested = NoGrad.enter()) {
                    assertFalse(NoGrad.isGradEnabled());
                }
                assertFalse(NoGrad.isGradEnabled(), "closing a nested guard restores the outer no-grad mode");
            }
            assertTrue(NoGrad.isGradEnabled());
            Tensor after = x.mul(2).add(1);
            assertTrue(after.requiresGrad(), "recording resumes after NoGrad is closed");
            assertArrayEquals(inside.toDoubleArray(), after.toDoubleArray());
            after.sum().backward();
            assertArrayEquals(new double[] {2, 2, 2}, x.grad().toDoubleArray());
        }
    }

    private static void assertArrayEquals(double[] expected, double[] actual) {
        org.junit.jupiter.api.Assertions.assertArrayEquals(expected, actual, 0.0);
    }

    @Test
    void noGradIsThreadLocal() throws Exception {
        try (TensorScope s = TensorScope.open()) {
            Tensor x = Tensor.of(new double[] {1, 2}, 2).requiresGrad(true);
            try (NoGrad g = NoGrad.enter()) {
                assertFalse(x.mul(3).requiresGrad());
                AtomicReference<Boolean> otherEnabled = new AtomicReference<>();
                AtomicReference<Boolean> otherRecords = new AtomicReference<>();
                AtomicReference<double[]> otherGrad = new AtomicReference<>();
                CompletableFuture<Void> f = CompletableFuture.runAsync(() -> {
                    try (TensorScope ts = TensorScope.open()) {
                        otherEnabled.set(NoGrad.isGradEnabled());
                        Tensor leaf = Tensor.of(new double[] {1, 2}, 2).requiresGrad(true);
                        Tensor y = leaf.mul(3);
                        otherRecords.set(y.requiresGrad());
                        y.sum().backward();
                        otherGrad.set(leaf.grad().toDoubleArray());
                        // it may also read this thread's tensor, and records ops on it
                        otherRecords.set(otherRecords.get() && x.mul(3).requiresGrad());
                    }
                });
                f.get(60, TimeUnit.SECONDS);
                assertEquals(Boolean.TRUE, otherEnabled.get(), "another thread still has grad mode on");
                assertEquals(Boolean.TRUE, otherRecords.get(), "another thread still records");
                assertArrayEquals(new double[] {3, 3}, otherGrad.get());
                // and this thread is still in no-grad mode
                assertFalse(NoGrad.isGradEnabled());
                assertFalse(x.mul(3).requiresGrad());
            }
        }
    }

    @Test
    void noGradMustBeClosedOnItsThread() throws Exception {
        NoGrad g = NoGrad.enter();
        try {
            CompletableFuture<Throwable> f = CompletableFuture.supplyAsync(() -> {
                try {
                    g.close();
                    return null;
                } catch (Throwable t) {
                    return t;
                }
            });
            assertTrue(f.get(60, TimeUnit.SECONDS) instanceof IllegalStateException);
        } finally {
            g.close();
        }
        assertTrue(NoGrad.isGradEnabled());
    }

    @Test
    void detachCutsTheGraph() {
        try (TensorScope s = TensorScope.open()) {
            Tensor x = Tensor.of(new double[] {1, 2, 3}, 3).requiresGrad(true);
            Tensor y = x.mul(3);
            Tensor d = y.detach();
            assertTrue(y.requiresGrad());
            assertFalse(d.requiresGrad());
            assertTrue(d.isLeaf());
            assertArrayEquals(y.toDoubleArray(), d.toDoubleArray());
            // z = d * x, with d a constant: dz/dx = d = 3x, not the 6x of (3x) * x
            d.mul(x).sum().backward();
            assertArrayEquals(new double[] {3, 6, 9}, x.grad().toDoubleArray());
        }
    }

    @Test
    void detachedBranchContributesNoGradient() {
        try (TensorScope s = TensorScope.open()) {
            Tensor x = Tensor.of(new double[] {0.5, -1.5}, 2).requiresGrad(true);
            Tensor loss = x.pow(2).sum().add(x.exp().detach().sum());
            loss.backward();
            assertArrayEquals(new double[] {1.0, -3.0}, x.grad().toDoubleArray());
            Tensor onlyDetached = x.mul(5).detach().sum();
            assertFalse(onlyDetached.requiresGrad());
        }
    }

    @Test
    void tensorsMadeUnderNoGradAreConstantsLater() {
        try (TensorScope s = TensorScope.open()) {
            Tensor x = Tensor.of(new double[] {2, 4}, 2).requiresGrad(true);
            Tensor c;
            try (NoGrad g = NoGrad.enter()) {
                c = x.mul(x);
            }
            c.mul(x).sum().backward();
            // d(c * x)/dx with c = x*x held constant is c
            assertArrayEquals(new double[] {4, 16}, x.grad().toDoubleArray());
            assertNull(c.grad());
        }
    }
}
