package dev.jtorch.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jtorch.DType;
import dev.jtorch.Device;
import dev.jtorch.Fixtures;
import dev.jtorch.nn.Module;
import dev.jtorch.tensor.Shape;
import dev.jtorch.tensor.Tensor;
import dev.jtorch.tensor.TensorScope;
import java.util.List;
import java.util.function.Function;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.extension.ExtendWith;
import dev.jtorch.NoLeaks;

/**
 * {@link SGD} and {@link Adam} against PyTorch's for-loop implementations: {@code sgd.json} and
 * {@code adam.json} give a start value, four gradients, and the parameter after each step for
 * several option sets.
 */
@ExtendWith(NoLeaks.class)
class OptimizerGoldenTest {
    private static final JsonNode SGD_FIXTURE = Fixtures.load("sgd.json");
    private static final JsonNode ADAM_FIXTURE = Fixtures.load("adam.json");
    private static final double TOL = 1e-10;

    /** A module holding one trainable tensor. */
    static final class OneParam extends Module {
        final Tensor p;

        OneParam(Tensor initial) {
            p = registerParameter("p", initial);
        }

        @Override
        public Tensor forward(Tensor input) {
            return p.mul(input).sum();
        }
    }

    private static Stream<Arguments> casesOf(JsonNode fixture) {
        List<JsonNode> cases = Fixtures.list(fixture.get("cases"));
        return IntStream.range(0, cases.size()).mapToObj(i -> {
            JsonNode c = cases.get(i);
            return Arguments.of(Named.of(i + ": " + c.get("options"), c));
        });
    }

    static Stream<Arguments> sgdCases() {
        return casesOf(SGD_FIXTURE);
    }

    static Stream<Arguments> adamCases() {
        return casesOf(ADAM_FIXTURE);
    }

    static SGDOptions sgdOptions(JsonNode o) {
        return new SGDOptions(o.get("lr").asDouble(), o.path("momentum").asDouble(0), o.path("dampening").asDouble(0),
                o.path("weight_decay").asDouble(0), o.path("nesterov").asBoolean(false));
    }

    static AdamOptions adamOptions(JsonNode o) {
        AdamOptions a = AdamOptions.lr(o.get("lr").asDouble());
        if (o.has("betas")) {
            a = a.withBetas(o.get("betas").get(0).asDouble(), o.get("betas").get(1).asDouble());
        }
        return a.withEps(o.path("eps").asDouble(1e-8))
                .withWeightDecay(o.path("weight_decay").asDouble(0))
                .withAmsgrad(o.path("amsgrad").asBoolean(false));
    }

    /**
     * Runs the fixture's steps: each sets the gradient to {@code grads[k]} (via
     * {@code (p * g).sum().backward()}, whose gradient is exactly {@code g}) and steps.
     */
    private static void replay(JsonNode fixture, JsonNode c, Function<List<Tensor>, Optimizer> make) {
        List<JsonNode> grads = Fixtures.list(fixture.get("grads"));
        List<JsonNode> after = Fixtures.list(c.get("params_after"));
        assertEquals(grads.size(), after.size());
        try (TensorScope s = TensorScope.open();
             OneParam m = new OneParam(Fixtures.tensor(fixture.get("p0")));
             Optimizer opt = make.apply(m.parameters())) {
            assertEquals(DType.FLOAT64, m.p.dtype());
            Fixtures.assertClose(fixture.get("p0"), m.p, 0, 0);
            for (int k = 0; k < grads.size(); k++) {
                try (TensorScope step = TensorScope.open()) {
                    opt.zeroGrad();
                    Tensor g = Fixtures.tensor(grads.get(k));
                    m.forward(g).backward();
                    Fixtures.assertClose(Fixtures.values(grads.get(k)), m.p.grad(), 0, 0);
                    opt.step();
                }
                int kk = k;
                try {
                    Fixtures.assertClose(after.get(k), m.p, TOL, TOL);
                } catch (AssertionError e) {
                    throw new AssertionError("after step " + (kk + 1) + ": " + e.getMessage(), e);
                }
            }
        }
    }

    @ParameterizedTest(name = "SGD {0}")
    @MethodSource("sgdCases")
    void sgdMatchesPyTorch(JsonNode c) {
        SGDOptions o = sgdOptions(c.get("options"));
        replay(SGD_FIXTURE, c, ps -> new SGD(ps, o));
    }

    @ParameterizedTest(name = "Adam {0}")
    @MethodSource("adamCases")
    void adamMatchesPyTorch(JsonNode c) {
        AdamOptions o = adamOptions(c.get("options"));
        replay(ADAM_FIXTURE, c, ps -> new Adam(ps, o));
    }

    // ================================================================ lr, zeroGrad, skipping

    @Test
    void sgdLearningRateCanBeReadAndChanged() {
        try (TensorScope s = TensorScope.open();
             OneParam m = new OneParam(Tensor.of(new double[] {1, 2}, 2));
             SGD opt = new SGD(m.parameters(), 0.1)) {
            assertEquals(0.1, opt.lr(), 0.0);
            assertEquals(0.1, opt.options().lr(), 0.0);
            opt.lr(0.25);
            assertEquals(0.25, opt.lr(), 0.0);
            m.forward(Tensor.of(new double[] {1, -4}, 2)).backward();
            opt.step();
            // the new rate is the one used: p - 0.25 * g
            assertArrayEquals(new double[] {0.75, 3.0}, m.p.toDoubleArray(), 1e-15);
            assertThrows(IllegalArgumentException.class, () -> opt.lr(-1));
            assertThrows(IllegalArgumentException.class, () -> opt.lr(Double.NaN));
            assertThrows(IllegalArgumentException.class, () -> opt.lr(Double.POSITIVE_INFINITY));
            assertEquals(0.25, opt.lr(), 0.0, "a rejected rate leaves the old one");
        }
    }

    @Test
    void adamLearningRateCanBeReadAndChanged() {
        try (TensorScope s = TensorScope.open();
             OneParam m = new OneParam(Tensor.of(new double[] {1, 2}, 2));
             Adam opt = new Adam(m.parameters(), 0.01)) {
            assertEquals(0.01, opt.lr(), 0.0);
            opt.lr(0.5);
            assertEquals(0.5, opt.lr(), 0.0);
            m.forward(Tensor.of(new double[] {1, -4}, 2)).backward();
            opt.step();
            // Adam's first step moves each entry by lr * sign(g) (up to eps)
            assertArrayEquals(new double[] {0.5, 2.5}, m.p.toDoubleArray(), 1e-7);
        }
    }

    @Test
    void zeroGradDropsGradients() {
        try (TensorScope s = TensorScope.open();
             OneParam m = new OneParam(Tensor.of(new double[] {1, 2, 3}, 3));
             SGD opt = new SGD(m.parameters(), 0.1)) {
            assertNull(m.p.grad());
            m.forward(Tensor.of(new double[] {1, 1, 1}, 3)).backward();
            assertNotNull(m.p.grad());
            opt.zeroGrad();
            assertNull(m.p.grad(), "zeroGrad() sets the gradient to none");
        }
    }

    @Test
    void zeroGradFalseLeavesZeros() {
        try (TensorScope s = TensorScope.open();
             OneParam m = new OneParam(Tensor.of(new double[] {1, 2, 3}, 3));
             SGD opt = new SGD(m.parameters(), 0.1)) {
            m.forward(Tensor.of(new double[] {1, 2, 3}, 3)).backward();
            opt.zeroGrad(false);
            Tensor g = m.p.grad();
            assertNotNull(g, "zeroGrad(false) keeps a gradient tensor");
            assertArrayEquals(new double[] {0, 0, 0}, g.toDoubleArray(), 0.0);
            assertArrayEquals(new long[] {3}, g.shape().toArray());
            // a step on zero gradients changes nothing (plain SGD)
            opt.step();
            assertArrayEquals(new double[] {1, 2, 3}, m.p.toDoubleArray(), 0.0);
            opt.zeroGrad(true);
            assertNull(m.p.grad());
        }
    }

    @Test
    void gradientsAccumulateWithoutZeroGrad() {
        try (TensorScope s = TensorScope.open();
             OneParam m = new OneParam(Tensor.of(new double[] {0, 0}, 2));
             SGD opt = new SGD(m.parameters(), 1.0)) {
            m.forward(Tensor.of(new double[] {1, 2}, 2)).backward();
            m.forward(Tensor.of(new double[] {1, 2}, 2)).backward();
            assertArrayEquals(new double[] {2, 4}, m.p.grad().toDoubleArray(), 0.0);
            opt.step();
            assertArrayEquals(new double[] {-2, -4}, m.p.toDoubleArray(), 0.0);
        }
    }

    @Test
    void parameterWithoutGradientIsSkipped() {
        try (TensorScope s = TensorScope.open();
             OneParam a = new OneParam(Tensor.of(new double[] {1, 2}, 2));
             OneParam b = new OneParam(Tensor.of(new double[] {3, 4}, 2));
             Adam opt = new Adam(List.of(a.p, b.p), 0.1)) {
            a.forward(Tensor.of(new double[] {1, 1}, 2)).backward();
            opt.step();
            assertArrayEquals(new double[] {3, 4}, b.p.toDoubleArray(), 0.0);
            assertTrue(a.p.toDoubleArray()[0] < 1);
        }
    }

    // ================================================================ invalid options

    @Test
    void invalidSgdOptionsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> SGDOptions.lr(-0.1));
        assertThrows(IllegalArgumentException.class, () -> SGDOptions.lr(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> SGDOptions.lr(0.1).withMomentum(-0.5));
        assertThrows(IllegalArgumentException.class, () -> SGDOptions.lr(0.1).withWeightDecay(-1));
        // Nesterov needs momentum > 0 ...
        assertThrows(IllegalArgumentException.class, () -> SGDOptions.lr(0.1).withNesterov(true));
        // ... and zero dampening
        assertThrows(IllegalArgumentException.class, () -> new SGDOptions(0.1, 0.9, 0.5, 0, true));
        SGDOptions ok = SGDOptions.lr(0.1).withMomentum(0.9).withNesterov(true);
        assertTrue(ok.nesterov());
        assertEquals(0.9, ok.momentum(), 0.0);
    }

    @Test
    void invalidAdamOptionsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> AdamOptions.lr(-1e-3));
        assertThrows(IllegalArgumentException.class, () -> AdamOptions.lr(1e-3).withBetas(1.0, 0.999));
        assertThrows(IllegalArgumentException.class, () -> AdamOptions.lr(1e-3).withBetas(0.9, -0.1));
        assertThrows(IllegalArgumentException.class, () -> AdamOptions.lr(1e-3).withEps(-1e-8));
        assertThrows(IllegalArgumentException.class, () -> AdamOptions.lr(1e-3).withWeightDecay(-0.1));
        AdamOptions d = AdamOptions.defaults();
        assertEquals(1e-3, d.lr(), 0.0);
        assertEquals(0.9, d.beta1(), 0.0);
        assertEquals(0.999, d.beta2(), 0.0);
        assertEquals(1e-8, d.eps(), 0.0);
    }

    @Test
    void invalidParameterListsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new SGD(List.of(), 0.1));
        assertThrows(IllegalArgumentException.class, () -> new Adam(List.of(), 0.1));
        try (TensorScope s = TensorScope.open()) {
            // as PyTorch: a tensor computed from others is not a parameter (a frozen leaf is: FrozenParametersTest)
            Tensor computed = Tensor.zeros(Shape.of(2), DType.FLOAT64, Device.CPU).requiresGrad(true).mul(2.0);
            assertThrows(IllegalArgumentException.class, () -> new SGD(List.of(computed), 0.1));
            assertThrows(IllegalArgumentException.class, () -> new Adam(List.of(computed), 0.1));
        }
    }

    @Test
    void closedOptimizerCannotStep() {
        try (TensorScope s = TensorScope.open(); OneParam m = new OneParam(Tensor.of(new double[] {1}, 1))) {
            SGD opt = new SGD(m.parameters(), 0.1);
            opt.close();
            opt.close(); // idempotent
            assertThrows(IllegalStateException.class, opt::step);
        }
    }
}
