package dev.jtorch.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jtorch.DType;
import dev.jtorch.Device;
import dev.jtorch.Fixtures;
import dev.jtorch.NoLeaks;
import dev.jtorch.optim.OptimizerGoldenTest.OneParam;
import dev.jtorch.tensor.Shape;
import dev.jtorch.tensor.Tensor;
import dev.jtorch.tensor.TensorScope;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link RMSprop} and {@link Adagrad} against PyTorch's single-tensor implementations:
 * {@code optim15.json} (written by {@code scripts/fixtures_optim15.py}) gives, per dtype, a start
 * value, ten gradients and the parameter after each step for several option sets.
 */
@ExtendWith(NoLeaks.class)
class RMSpropAdagradGoldenTest {
    private static final JsonNode FIXTURE = Fixtures.load("optim15.json");
    private static final double TOL64 = 1e-10;
    private static final double TOL32 = 1e-5;

    private static Stream<Arguments> casesOf(String key) {
        List<Arguments> out = new ArrayList<>();
        for (JsonNode fixture : Fixtures.list(FIXTURE.get(key))) {
            List<JsonNode> cases = Fixtures.list(fixture.get("cases"));
            for (int i = 0; i < cases.size(); i++) {
                out.add(Arguments.of(Named.of(fixture.get("dtype").asText() + " " + i + ": "
                        + cases.get(i).get("options"), fixture), cases.get(i)));
            }
        }
        return out.stream();
    }

    static Stream<Arguments> rmspropCases() {
        return casesOf("rmsprop");
    }

    static Stream<Arguments> adagradCases() {
        return casesOf("adagrad");
    }

    /** The options of a fixture case; a missing key is PyTorch's default. */
    static RMSpropOptions rmspropOptions(JsonNode o) {
        return new RMSpropOptions(o.path("lr").asDouble(0.01), o.path("alpha").asDouble(0.99),
                o.path("eps").asDouble(1e-8), o.path("weight_decay").asDouble(0), o.path("momentum").asDouble(0),
                o.path("centered").asBoolean(false));
    }

    /** The options of a fixture case; a missing key is PyTorch's default. */
    static AdagradOptions adagradOptions(JsonNode o) {
        return new AdagradOptions(o.path("lr").asDouble(0.01), o.path("lr_decay").asDouble(0),
                o.path("weight_decay").asDouble(0), o.path("initial_accumulator_value").asDouble(0),
                o.path("eps").asDouble(1e-10));
    }

    /** Sets each gradient through {@code (p * g).sum().backward()} (gradient exactly g) and steps. */
    private static void replay(JsonNode fixture, JsonNode c, Function<List<Tensor>, Optimizer> make) {
        List<JsonNode> grads = Fixtures.list(fixture.get("grads"));
        List<JsonNode> after = Fixtures.list(c.get("params_after"));
        assertEquals(10, grads.size());
        assertEquals(grads.size(), after.size());
        double tol = fixture.get("dtype").asText().equals("float32") ? TOL32 : TOL64;
        try (TensorScope s = TensorScope.open();
             OneParam m = new OneParam(Fixtures.tensor(fixture.get("p0")));
             Optimizer opt = make.apply(m.parameters())) {
            for (int k = 0; k < grads.size(); k++) {
                try (TensorScope step = TensorScope.open()) {
                    opt.zeroGrad();
                    m.forward(Fixtures.tensor(grads.get(k))).backward();
                    opt.step();
                }
                try {
                    Fixtures.assertClose(after.get(k), m.p, tol, tol);
                } catch (AssertionError e) {
                    throw new AssertionError("after step " + (k + 1) + ": " + e.getMessage(), e);
                }
            }
        }
    }

    @ParameterizedTest(name = "RMSprop {0}")
    @MethodSource("rmspropCases")
    void rmspropMatchesPyTorch(JsonNode fixture, JsonNode c) {
        RMSpropOptions o = rmspropOptions(c.get("options"));
        replay(fixture, c, ps -> new RMSprop(ps, o));
    }

    @ParameterizedTest(name = "Adagrad {0}")
    @MethodSource("adagradCases")
    void adagradMatchesPyTorch(JsonNode fixture, JsonNode c) {
        AdagradOptions o = adagradOptions(c.get("options"));
        replay(fixture, c, ps -> new Adagrad(ps, o));
    }

    @Test
    void fixtureCoversBothDtypesAndTheOptions() {
        for (String key : List.of("rmsprop", "adagrad")) {
            List<JsonNode> fs = Fixtures.list(FIXTURE.get(key));
            assertEquals(List.of("float64", "float32"), fs.stream().map(f -> f.get("dtype").asText()).toList());
            assertTrue(fs.get(0).get("cases").size() >= 5, key);
        }
    }

    @Test
    void defaultsAreThoseOfPyTorch() {
        RMSpropOptions r = RMSpropOptions.defaults();
        assertEquals(new RMSpropOptions(0.01, 0.99, 1e-8, 0, 0, false), r);
        assertEquals(r, RMSpropOptions.lr(0.01));
        assertEquals(new RMSpropOptions(0.01, 0.9, 1e-6, 0.1, 0.5, true),
                r.withAlpha(0.9).withEps(1e-6).withWeightDecay(0.1).withMomentum(0.5).withCentered(true));
        AdagradOptions a = AdagradOptions.defaults();
        assertEquals(new AdagradOptions(0.01, 0, 0, 0, 1e-10), a);
        assertEquals(a, AdagradOptions.lr(0.01));
        assertEquals(new AdagradOptions(0.01, 0.1, 0.2, 0.3, 1e-6),
                a.withLrDecay(0.1).withWeightDecay(0.2).withInitialAccumulatorValue(0.3).withEps(1e-6));
    }

    @Test
    void invalidOptionsAreRejectedNamingTheOption() {
        rejects("learning rate", () -> RMSpropOptions.lr(-0.1));
        rejects("learning rate", () -> RMSpropOptions.lr(Double.NaN));
        rejects("alpha", () -> RMSpropOptions.defaults().withAlpha(-0.5));
        rejects("eps", () -> RMSpropOptions.defaults().withEps(-1e-8));
        rejects("weight decay", () -> RMSpropOptions.defaults().withWeightDecay(Double.NaN));
        rejects("momentum", () -> RMSpropOptions.defaults().withMomentum(-0.9));
        rejects("momentum", () -> RMSpropOptions.defaults().withMomentum(Double.POSITIVE_INFINITY));
        rejects("learning rate", () -> AdagradOptions.lr(-1));
        rejects("lr decay", () -> AdagradOptions.defaults().withLrDecay(-0.1));
        rejects("weight decay", () -> AdagradOptions.defaults().withWeightDecay(-0.1));
        rejects("initial accumulator value", () -> AdagradOptions.defaults().withInitialAccumulatorValue(-1));
        rejects("eps", () -> AdagradOptions.defaults().withEps(Double.NaN));
    }

    private static void rejects(String mention, org.junit.jupiter.api.function.Executable e) {
        IllegalArgumentException x = assertThrows(IllegalArgumentException.class, e);
        assertTrue(x.getMessage().contains(mention), "message should name " + mention + ": " + x.getMessage());
    }

    @Test
    void invalidParameterListsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new RMSprop(List.of(), 0.1));
        assertThrows(IllegalArgumentException.class, () -> new Adagrad(List.of(), 0.1));
        try (TensorScope s = TensorScope.open()) {
            // a tensor computed from others is not a parameter (frozen leaves are: FrozenParametersTest)
            Tensor noGrad = Tensor.zeros(Shape.of(2), DType.FLOAT64, Device.CPU).requiresGrad(true).mul(2.0);
            assertThrows(IllegalArgumentException.class, () -> new RMSprop(List.of(noGrad), 0.1));
            assertThrows(IllegalArgumentException.class, () -> new Adagrad(List.of(noGrad), 0.1));
        }
    }

    @Test
    void learningRateAndMomentumCanBeReadAndChanged() {
        try (TensorScope s = TensorScope.open();
             OneParam m = new OneParam(Tensor.of(new double[] {1, 2}, 2));
             RMSprop r = new RMSprop(m.parameters(), RMSpropOptions.lr(0.01).withMomentum(0.5));
             Adagrad a = new Adagrad(m.parameters(), 0.2)) {
            assertEquals(0.01, r.lr(), 0.0);
            r.lr(0.02);
            assertEquals(0.02, r.lr(), 0.0);
            assertTrue(r.hasMomentum());
            assertEquals(0.5, r.momentum(), 0.0);
            r.momentum(0.7);
            assertEquals(0.7, r.momentum(), 0.0);
            assertThrows(IllegalArgumentException.class, () -> r.momentum(-1));
            assertEquals(0.5, r.options().momentum(), 0.0, "options() keeps the construction settings");
            assertEquals(0.2, a.lr(), 0.0);
            assertFalse(a.hasMomentum());
            assertThrows(UnsupportedOperationException.class, a::momentum);
            assertThrows(UnsupportedOperationException.class, () -> a.momentum(0.9));
        }
    }

    @Test
    void adagradFirstStepIsLrTimesSignAndRespectsLrDecay() {
        // sum = g^2 after step 1, so p -= lr * g / (|g| + eps); step 2 uses lr / (1 + lrDecay)
        try (TensorScope s = TensorScope.open();
             OneParam m = new OneParam(Tensor.of(new double[] {1, 2}, 2));
             Adagrad a = new Adagrad(m.parameters(), AdagradOptions.lr(0.5).withLrDecay(1.0))) {
            m.forward(Tensor.of(new double[] {3, -4}, 2)).backward();
            a.step();
            Fixtures.assertClose(new double[] {0.5, 2.5}, m.p, 1e-9, 0);
            a.zeroGrad();
            m.forward(Tensor.of(new double[] {3, -4}, 2)).backward();
            a.step();
            double clr = 0.5 / 2;
            Fixtures.assertClose(new double[] {0.5 - clr * 3 / Math.sqrt(18), 2.5 + clr * 4 / Math.sqrt(32)}, m.p,
                    1e-9, 0);
        }
    }

    @Test
    void closedOptimizersCannotStep() {
        try (TensorScope s = TensorScope.open(); OneParam m = new OneParam(Tensor.of(new double[] {1}, 1))) {
            RMSprop r = new RMSprop(m.parameters(), 0.1);
            Adagrad a = new Adagrad(m.parameters(), 0.1);
            r.close();
            r.close();
            a.close();
            assertThrows(IllegalStateException.class, r::step);
            assertThrows(IllegalStateException.class, a::step);
            assertThrows(IllegalStateException.class, a::stateBytes);
        }
    }
}
