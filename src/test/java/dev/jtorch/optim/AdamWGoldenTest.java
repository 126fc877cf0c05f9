package dev.jtorch.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jtorch.DType;
import dev.jtorch.Device;
import dev.jtorch.Fixtures;
import dev.jtorch.optim.OptimizerGoldenTest.OneParam;
import dev.jtorch.tensor.Shape;
import dev.jtorch.tensor.Tensor;
import dev.jtorch.tensor.TensorScope;
import java.util.List;
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
 * {@link AdamW} against PyTorch's for-loop {@code torch.optim.AdamW}: {@code optim2.json}'s
 * {@code adamw} entry gives a start value, four gradients and the parameter after each step for
 * several option sets (written by {@code scripts/fixtures_optim.py}).
 */
@ExtendWith(NoLeaks.class)
class AdamWGoldenTest {
    private static final JsonNode FIXTURE = Fixtures.load("optim2.json").get("adamw");
    private static final double TOL = 1e-10;

    static Stream<Arguments> cases() {
        List<JsonNode> cases = Fixtures.list(FIXTURE.get("cases"));
        return IntStream.range(0, cases.size()).mapToObj(i -> {
            JsonNode c = cases.get(i);
            return Arguments.of(Named.of(i + ": " + c.get("options"), c));
        });
    }

    /** The options of a fixture case; a missing key is PyTorch's AdamW default. */
    static AdamWOptions options(JsonNode o) {
        AdamWOptions a = o.has("lr") ? AdamWOptions.lr(o.get("lr").asDouble()) : AdamWOptions.defaults();
        if (o.has("betas")) {
            a = a.withBetas(o.get("betas").get(0).asDouble(), o.get("betas").get(1).asDouble());
        }
        return a.withEps(o.path("eps").asDouble(1e-8))
                .withWeightDecay(o.path("weight_decay").asDouble(1e-2))
                .withAmsgrad(o.path("amsgrad").asBoolean(false));
    }

    @ParameterizedTest(name = "AdamW {0}")
    @MethodSource("cases")
    void adamWMatchesPyTorch(JsonNode c) {
        List<JsonNode> grads = Fixtures.list(FIXTURE.get("grads"));
        List<JsonNode> after = Fixtures.list(c.get("params_after"));
        assertEquals(grads.size(), after.size());
        try (TensorScope s = TensorScope.open();
             OneParam m = new OneParam(Fixtures.tensor(FIXTURE.get("p0")));
             AdamW opt = new AdamW(m.parameters(), options(c.get("options")))) {
            assertEquals(DType.FLOAT64, m.p.dtype());
            for (int k = 0; k < grads.size(); k++) {
                try (TensorScope step = TensorScope.open()) {
                    opt.zeroGrad();
                    m.forward(Fixtures.tensor(grads.get(k))).backward();
                    opt.step();
                }
                try {
                    Fixtures.assertClose(after.get(k), m.p, TOL, TOL);
                } catch (AssertionError e) {
                    throw new AssertionError("after step " + (k + 1) + ": " + e.getMessage(), e);
                }
            }
        }
    }

    @Test
    void defaultsAreThoseOfPyTorch() {
        AdamWOptions d = AdamWOptions.defaults();
        assertEquals(1e-3, d.lr(), 0.0);
        assertEquals(0.9, d.beta1(), 0.0);
        assertEquals(0.999, d.beta2(), 0.0);
        assertEquals(1e-8, d.eps(), 0.0);
        assertEquals(1e-2, d.weightDecay(), 0.0);
        assertFalse(d.amsgrad());
        assertEquals(d, AdamWOptions.lr(1e-3));
        assertEquals(0.05, d.withWeightDecay(0.05).weightDecay(), 0.0);
    }

    @Test
    void weightDecayIsDecoupled() {
        // A zero gradient: Adam's L2 form would feed the decay through the moments (a step of
        // about lr * sign(p)); AdamW only shrinks p by lr * weightDecay * p.
        try (TensorScope s = TensorScope.open();
             OneParam a = new OneParam(Tensor.of(new double[] {2, -4}, 2));
             OneParam b = new OneParam(Tensor.of(new double[] {2, -4}, 2));
             AdamW w = new AdamW(a.parameters(), AdamWOptions.lr(0.1).withWeightDecay(0.5));
             Adam l2 = new Adam(b.parameters(), AdamOptions.lr(0.1).withWeightDecay(0.5))) {
            a.forward(Tensor.of(new double[] {0, 0}, 2)).backward();
            b.forward(Tensor.of(new double[] {0, 0}, 2)).backward();
            w.step();
            l2.step();
            Fixtures.assertClose(new double[] {2 * (1 - 0.1 * 0.5), -4 * (1 - 0.1 * 0.5)}, a.p, 1e-15, 0);
            assertNotEquals(a.p.toDoubleArray()[1], b.p.toDoubleArray()[1], 1e-3);
            Fixtures.assertClose(new double[] {1.9, -3.9}, b.p, 1e-6, 0);
        }
    }

    @Test
    void learningRateCanBeReadAndChanged() {
        try (TensorScope s = TensorScope.open();
             OneParam m = new OneParam(Tensor.of(new double[] {1, 2}, 2));
             AdamW opt = new AdamW(m.parameters(), 0.01)) {
            assertEquals(0.01, opt.lr(), 0.0);
            assertEquals(1e-2, opt.options().weightDecay(), 0.0);
            opt.lr(0.5);
            assertEquals(0.5, opt.lr(), 0.0);
            m.forward(Tensor.of(new double[] {1, -4}, 2)).backward();
            opt.step();
            // decay by lr * wd first, then Adam's first step of lr * sign(g)
            Fixtures.assertClose(new double[] {1 * (1 - 0.5 * 0.01) - 0.5, 2 * (1 - 0.5 * 0.01) + 0.5}, m.p, 1e-7, 0);
        }
    }

    @Test
    void invalidOptionsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> AdamWOptions.lr(-1e-3));
        assertThrows(IllegalArgumentException.class, () -> AdamWOptions.lr(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> AdamWOptions.lr(1e-3).withBetas(1.0, 0.999));
        assertThrows(IllegalArgumentException.class, () -> AdamWOptions.lr(1e-3).withBetas(0.9, -0.1));
        assertThrows(IllegalArgumentException.class, () -> AdamWOptions.lr(1e-3).withEps(-1e-8));
        assertThrows(IllegalArgumentException.class, () -> AdamWOptions.lr(1e-3).withWeightDecay(-0.1));
        assertThrows(IllegalArgumentException.class, () -> AdamWOptions.lr(1e-3).withWeightDecay(Double.NaN));
    }

    @Test
    void invalidParameterListsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new AdamW(List.of(), 0.1));
        try (TensorScope s = TensorScope.open()) {
            // a tensor computed from others is not a parameter (frozen leaves are: FrozenParametersTest)
            Tensor noGrad = Tensor.zeros(Shape.of(2), DType.FLOAT64, Device.CPU).requiresGrad(true).mul(2.0);
            assertThrows(IllegalArgumentException.class, () -> new AdamW(List.of(noGrad), 0.1));
        }
    }

    @Test
    void closedOptimizerCannotStep() {
        try (TensorScope s = TensorScope.open(); OneParam m = new OneParam(Tensor.of(new double[] {1}, 1))) {
            AdamW opt = new AdamW(m.parameters(), 0.1);
            opt.close();
            opt.close();
            assertThrows(IllegalStateException.class, opt::step);
        }
    }
}
