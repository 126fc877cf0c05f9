package dev.jtorch.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jtorch.Fixtures;
import dev.jtorch.NoLeaks;
import dev.jtorch.optim.OneCycleLR.AnnealStrategy;
import dev.jtorch.optim.OptimizerGoldenTest.OneParam;
import dev.jtorch.optim.OptimizerStateTest.Net;
import dev.jtorch.optim.ReduceLROnPlateau.Mode;
import dev.jtorch.optim.ReduceLROnPlateau.ThresholdMode;
import dev.jtorch.tensor.Tensor;
import dev.jtorch.tensor.TensorScope;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link MultiStepLR}, {@link LinearLR}, {@link OneCycleLR} and {@link ReduceLROnPlateau} against
 * PyTorch ({@code optim15.json}, written by {@code scripts/fixtures_optim15.py}): the rate (and
 * OneCycleLR's momentum) of every step, the plateau counters; state round trips, resumed training
 * bit-identical to uninterrupted training, and argument checks.
 */
@ExtendWith(NoLeaks.class)
class Schedule15Test {
    private static final JsonNode FIXTURE = Fixtures.load("optim15.json");
    /** Against PyTorch's recursive (chainable) computation, which drifts from the closed form by ulps. */
    private static final double RECURSIVE_RTOL = 1e-12;
    /** Against PyTorch's closed form: the same formula, up to libm's last bit. */
    private static final double CLOSED_RTOL = 1e-15;

    private TensorScope scope;
    private OneParam module;

    @BeforeEach
    void setUp() {
        scope = TensorScope.open();
        module = new OneParam(Tensor.of(new double[] {1, 2}, 2));
    }

    @AfterEach
    void closeResources() {
        module.close();
        scope.close();
    }

    private Optimizer optimizer(String kind, double lr) {
        switch (kind) {
            case "sgd":
                return new SGD(module.parameters(), lr);
            case "adam":
                return new Adam(module.parameters(), lr);
            case "adagrad":
                return new Adagrad(module.parameters(), lr);
            default:
                throw new IllegalArgumentException(kind);
        }
    }

    private static int[] ints(JsonNode array) {
        return Fixtures.list(array).stream().mapToInt(JsonNode::asInt).toArray();
    }

    private static double[] doubles(JsonNode array) {
        return Fixtures.list(array).stream().mapToDouble(JsonNode::asDouble).toArray();
    }

    /** The Java schedule for a fixture entry; a missing argument is PyTorch's default. */
    static LRScheduler build(JsonNode c, Optimizer opt) {
        JsonNode a = c.get("args");
        switch (c.get("name").asText()) {
            case "MultiStepLR":
                return new MultiStepLR(opt, ints(a.get("milestones")), a.path("gamma").asDouble(0.1));
            case "LinearLR":
                return a.isEmpty() ? new LinearLR(opt) : new LinearLR(opt, a.path("start_factor").asDouble(1.0 / 3),
                        a.path("end_factor").asDouble(1.0), a.path("total_iters").asInt(5));
            case "OneCycleLR": {
                OneCycleLROptions o = OneCycleLROptions.of(a.get("max_lr").asDouble(), a.get("total_steps").asInt())
                        .withPctStart(a.path("pct_start").asDouble(0.3))
                        .withAnnealStrategy(a.path("anneal_strategy").asText("cos").equals("cos")
                                ? AnnealStrategy.COS : AnnealStrategy.LINEAR)
                        .withCycleMomentum(a.path("cycle_momentum").asBoolean(true))
                        .withMomentum(a.path("base_momentum").asDouble(0.85), a.path("max_momentum").asDouble(0.95))
                        .withDivFactor(a.path("div_factor").asDouble(25))
                        .withFinalDivFactor(a.path("final_div_factor").asDouble(1e4))
                        .withThreePhase(a.path("three_phase").asBoolean(false));
                return new OneCycleLR(opt, o);
            }
            default:
                throw new IllegalArgumentException("unknown schedule " + c.get("name"));
        }
    }

    static Stream<Arguments> schedules() {
        return Fixtures.list(FIXTURE.get("schedules")).stream()
                .map(c -> Arguments.of(Named.of(c.get("pytorch").asText(), c)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("schedules")
    void matchesPyTorch(JsonNode c) {
        double[] expected = doubles(c.get("lrs"));
        for (int e = 0; e < expected.length; e++) {
            // PyTorch's linear OneCycleLR overshoots below zero one past the cycle; jtorch sets 0
            if (expected[e] < 0) {
                assertEquals(expected.length - 1, e, "only the epoch past the cycle may be negative");
                expected[e] = 0;
            }
        }
        int steps = c.get("steps").asInt();
        assertEquals(steps + 1, expected.length);
        try (Optimizer opt = optimizer(c.get("optimizer").asText(), c.get("base_lr").asDouble())) {
            LRScheduler s = build(c, opt);
            double[] got = new double[steps + 1];
            double[] viaLrAt = new double[steps + 1];
            double[] momenta = new double[steps + 1];
            for (int e = 0; e <= steps; e++) {
                if (e > 0) {
                    s.step();
                }
                assertEquals(e, s.epoch());
                got[e] = opt.lr();
                assertEquals(got[e], s.lastLr(), 0.0, "lastLr() is the rate set on the optimizer");
                viaLrAt[e] = s.lrAt(e);
                momenta[e] = opt.hasMomentum() ? opt.momentum() : Double.NaN;
            }
            Fixtures.assertClose(expected, got, 0, RECURSIVE_RTOL, s + " vs PyTorch's step() sequence");
            if (c.has("closed_form")) {
                Fixtures.assertClose(doubles(c.get("closed_form")), got, 0, CLOSED_RTOL, s + " vs the closed form");
            }
            if (c.has("momenta")) {
                Fixtures.assertClose(doubles(c.get("momenta")), momenta, 0, RECURSIVE_RTOL, s + " momentum");
                OneCycleLR one = (OneCycleLR) s;
                for (int e = 0; e <= steps; e++) {
                    assertEquals(momenta[e], one.momentumAt(e), 0.0, "momentumAt(" + e + ")");
                }
            }
            assertArrayEquals(got, viaLrAt, 0.0, "lrAt(e) is the rate step() sets at epoch e");
        }
    }

    @Test
    void fixtureCoversEverySchedule() {
        List<String> names = Fixtures.list(FIXTURE.get("schedules")).stream().map(c -> c.get("name").asText())
                .distinct().toList();
        assertEquals(List.of("MultiStepLR", "LinearLR", "OneCycleLR"), names);
        assertTrue(FIXTURE.get("plateau").size() >= 5);
    }

    // ================================================================ OneCycleLR specifics

    @Test
    void oneCycleRefusesToStepPastTheCycleAndChangesNothing() {
        try (SGD opt = new SGD(module.parameters(), 0.1)) {
            OneCycleLR s = new OneCycleLR(opt, 1.0, 3);
            s.step();
            s.step();
            s.step();
            double lr = opt.lr();
            double m = opt.momentum();
            IllegalStateException e = assertThrows(IllegalStateException.class, s::step);
            assertTrue(e.getMessage().contains("totalSteps=3"), e.getMessage());
            assertEquals(3, s.epoch());
            assertEquals(lr, opt.lr(), 0.0);
            assertEquals(m, opt.momentum(), 0.0);
            assertThrows(IllegalStateException.class, () -> s.lrAt(4));
        }
    }

    @Test
    void oneCycleStartsAtTheInitialRateAndCyclesBeta1OfAdam() {
        try (Adam opt = new Adam(module.parameters(), AdamOptions.lr(0.5).withBetas(0.5, 0.99))) {
            OneCycleLR s = new OneCycleLR(opt, 0.01, 100);
            assertEquals(0.01 / 25, opt.lr(), 1e-17);
            assertEquals(0.01 / 25, s.baseLr(), 0.0);
            assertEquals(0.01 / 25 / 1e4, s.minLr(), 0.0);
            assertEquals(0.95, opt.momentum(), 1e-15, "beta1 set to maxMomentum");
            for (int i = 0; i < 29; i++) {
                s.step();
            }
            assertEquals(0.01, opt.lr(), 1e-15, "the peak after pctStart * totalSteps - 1 steps");
            assertEquals(0.85, opt.momentum(), 1e-15);
        }
    }

    @Test
    void oneCycleNeedsMomentumOrCyclingOff() {
        try (Adagrad opt = new Adagrad(module.parameters(), 0.1)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new OneCycleLR(opt, 0.1, 10));
            assertTrue(e.getMessage().contains("momentum"), e.getMessage());
            OneCycleLR s = new OneCycleLR(opt, OneCycleLROptions.of(0.1, 10).withCycleMomentum(false));
            assertEquals(0.1 / 25, opt.lr(), 1e-17);
            s.step();
        }
    }

    @Test
    void oneCycleOptionsFromEpochs() {
        assertEquals(OneCycleLROptions.of(0.1, 60), OneCycleLROptions.of(0.1, 3, 20));
        assertThrows(IllegalArgumentException.class, () -> OneCycleLROptions.of(0.1, 0, 20));
        assertThrows(IllegalArgumentException.class, () -> OneCycleLROptions.of(0.1, 3, 0));
        assertThrows(IllegalArgumentException.class, () -> OneCycleLROptions.of(0.1, 1 << 20, 1 << 20));
    }

    // ================================================================ ReduceLROnPlateau

    static ReduceLROnPlateauOptions plateauOptions(JsonNode a) {
        return new ReduceLROnPlateauOptions(a.path("mode").asText("min").equals("min") ? Mode.MIN : Mode.MAX,
                a.path("factor").asDouble(0.1), a.path("patience").asInt(10), a.path("threshold").asDouble(1e-4),
                a.path("threshold_mode").asText("rel").equals("rel") ? ThresholdMode.REL : ThresholdMode.ABS,
                a.path("cooldown").asInt(0), a.path("min_lr").asDouble(0), a.path("eps").asDouble(1e-8));
    }

    static Stream<Arguments> plateaus() {
        return Fixtures.list(FIXTURE.get("plateau")).stream()
                .map(c -> Arguments.of(Named.of(c.get("pytorch").asText(), c)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("plateaus")
    void plateauMatchesPyTorch(JsonNode c) {
        double[] metrics = doubles(c.get("metrics"));
        double[] lrs = doubles(c.get("lrs"));
        double[] best = doubles(c.get("best"));
        int[] bad = ints(c.get("num_bad_epochs"));
        int[] cool = ints(c.get("cooldown_counter"));
        try (SGD opt = new SGD(module.parameters(), c.get("base_lr").asDouble())) {
            ReduceLROnPlateau s = new ReduceLROnPlateau(opt, plateauOptions(c.get("args")));
            assertEquals(c.get("base_lr").asDouble(), s.lastLr(), 0.0, "construction leaves the rate");
            for (int i = 0; i < metrics.length; i++) {
                s.step(metrics[i]);
                String at = "after step " + (i + 1) + " (metric " + metrics[i] + ")";
                assertEquals(lrs[i], opt.lr(), 0.0, at + ": lr");
                assertEquals(lrs[i], s.lastLr(), 0.0, at + ": lastLr");
                assertEquals(best[i], s.best(), 0.0, at + ": best");
                assertEquals(bad[i], s.numBadEpochs(), at + ": bad epochs");
                assertEquals(cool[i], s.cooldownCounter(), at + ": cooldown");
                assertEquals(i + 1, s.epoch());
            }
        }
    }

    @Test
    void plateauStateRoundTripsAndResumesExactly() {
        double[] metrics = doubles(Fixtures.list(FIXTURE.get("plateau")).get(2).get("metrics"));
        ReduceLROnPlateauOptions o = plateauOptions(Fixtures.list(FIXTURE.get("plateau")).get(2).get("args"));
        double[] uninterrupted = new double[metrics.length];
        byte[] saved;
        try (SGD opt = new SGD(module.parameters(), 0.1)) {
            ReduceLROnPlateau s = new ReduceLROnPlateau(opt, o);
            byte[] at = null;
            for (int i = 0; i < metrics.length; i++) {
                s.step(metrics[i]);
                uninterrupted[i] = opt.lr();
                if (i == 8) {
                    at = s.state().toBytes();
                    assertTrue(s.cooldownCounter() > 0, "saved in the middle of a cooldown");
                }
            }
            saved = at;
        }
        SchedulerState st = SchedulerState.fromBytes(saved);
        assertEquals(3, st.values().size());
        try (SGD opt = new SGD(module.parameters(), 0.9)) {
            ReduceLROnPlateau s = new ReduceLROnPlateau(opt, o);
            s.loadState(st);
            assertEquals(9, s.epoch());
            assertEquals(uninterrupted[8], opt.lr(), 0.0, "the rate is restored with the counters");
            for (int i = 9; i < metrics.length; i++) {
                s.step(metrics[i]);
                assertEquals(uninterrupted[i], opt.lr(), 0.0, "step " + (i + 1));
            }
            ReduceLROnPlateau other = new ReduceLROnPlateau(opt);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> other.loadState(st));
            assertTrue(e.getMessage().contains("patience=1") && e.getMessage().contains("patience=10"),
                    e.getMessage());
            assertThrows(IllegalArgumentException.class,
                    () -> s.loadState(new SchedulerState(s.toString(), 3, 0.1)), "no values");
            assertThrows(IllegalArgumentException.class,
                    () -> s.loadState(new SchedulerState(s.toString(), 3, 0.1, List.of(1.0, -1.0, 0.0))));
            StepLR step = new StepLR(opt, 2, 0.5);
            assertThrows(IllegalArgumentException.class, () -> step.loadState(st));
        }
    }

    @Test
    void plateauStartsWithTheWorstBestAndCountsNaNAsBad() {
        try (SGD opt = new SGD(module.parameters(), 0.1)) {
            ReduceLROnPlateau min = new ReduceLROnPlateau(opt);
            assertEquals(Double.POSITIVE_INFINITY, min.best(), 0.0);
            SchedulerState fresh = min.state();
            assertEquals(fresh, SchedulerState.fromBytes(fresh.toBytes()), "infinite best round trips");
            min.step(Double.NaN);
            assertEquals(1, min.numBadEpochs());
            ReduceLROnPlateau max = new ReduceLROnPlateau(opt, ReduceLROnPlateauOptions.defaults().withMode(Mode.MAX));
            assertEquals(Double.NEGATIVE_INFINITY, max.best(), 0.0);
        }
    }

    // ================================================================ state of the epoch schedules

    static Stream<Arguments> makers() {
        return Stream.of(
                Arguments.of(Named.<Function<Optimizer, LRScheduler>>of("MultiStepLR",
                        o -> new MultiStepLR(o, new int[] {2, 5, 9}, 0.5))),
                Arguments.of(Named.<Function<Optimizer, LRScheduler>>of("LinearLR",
                        o -> new LinearLR(o, 0.2, 0.9, 7))),
                Arguments.of(Named.<Function<Optimizer, LRScheduler>>of("OneCycleLR",
                        o -> new OneCycleLR(o, 0.5, 12))),
                Arguments.of(Named.<Function<Optimizer, LRScheduler>>of("OneCycleLR three phases, linear",
                        o -> new OneCycleLR(o, OneCycleLROptions.of(0.5, 12).withThreePhase(true)
                                .withAnnealStrategy(AnnealStrategy.LINEAR)))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("makers")
    void stateRoundTripsAndResumesExactly(Function<Optimizer, LRScheduler> make) {
        double[] lrs = new double[13];
        double[] momenta = new double[13];
        SchedulerState saved;
        try (SGD opt = new SGD(module.parameters(), 0.1)) {
            LRScheduler s = make.apply(opt);
            SchedulerState at5 = null;
            for (int e = 0; e <= 12; e++) {
                if (e > 0) {
                    s.step();
                }
                if (e == 5) {
                    at5 = s.state();
                }
                lrs[e] = opt.lr();
                momenta[e] = opt.momentum();
            }
            saved = SchedulerState.fromBytes(at5.toBytes());
            assertEquals(at5, saved, "bytes round trip");
            assertEquals(s.toString(), saved.schedule());
        }
        try (SGD opt = new SGD(module.parameters(), 0.7)) {
            LRScheduler s = make.apply(opt);
            s.loadState(saved);
            assertEquals(5, s.epoch());
            assertEquals(lrs[5], opt.lr(), 0.0);
            assertEquals(momenta[5], opt.momentum(), 0.0, "OneCycleLR restores the momentum too");
            for (int e = 6; e <= 12; e++) {
                s.step();
                assertEquals(lrs[e], opt.lr(), 0.0, "epoch " + e);
                assertEquals(momenta[e], opt.momentum(), 0.0, "momentum at epoch " + e);
            }
        }
    }

    /** Optimizer plus per-step schedule, saved after K steps, rebuilt, loaded, continued. */
    static Stream<Arguments> runs() {
        return Stream.of(
                Arguments.of("SGD + OneCycleLR", (Function<List<Tensor>, Optimizer>) ps -> new SGD(ps, 0.1),
                        (Function<Optimizer, LRScheduler>) o -> new OneCycleLR(o, 0.05, 12)),
                Arguments.of("Adam + OneCycleLR (beta1)", (Function<List<Tensor>, Optimizer>) ps -> new Adam(ps, 0.1),
                        (Function<Optimizer, LRScheduler>) o -> new OneCycleLR(o, 0.05, 12)),
                Arguments.of("RMSprop momentum + OneCycleLR linear",
                        (Function<List<Tensor>, Optimizer>) ps -> new RMSprop(ps, RMSpropOptions.lr(0.01)
                                .withMomentum(0.5)),
                        (Function<Optimizer, LRScheduler>) o -> new OneCycleLR(o, OneCycleLROptions.of(0.01, 12)
                                .withAnnealStrategy(AnnealStrategy.LINEAR))),
                Arguments.of("Adagrad + MultiStepLR", (Function<List<Tensor>, Optimizer>) ps -> new Adagrad(ps, 0.1),
                        (Function<Optimizer, LRScheduler>) o -> new MultiStepLR(o, 3, 7)),
                Arguments.of("RMSprop + LinearLR", (Function<List<Tensor>, Optimizer>) ps -> new RMSprop(ps, 0.01),
                        (Function<Optimizer, LRScheduler>) LinearLR::new));
    }

    private static void train(Net net, Optimizer opt, LRScheduler s, int from, int to) {
        for (int k = from; k < to; k++) {
            try (TensorScope step = TensorScope.open()) {
                opt.zeroGrad();
                net.forward(Tensor.of(new double[] {k}, 1).sum()).backward();
                opt.step();
            }
            s.step();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("runs")
    void resumedTrainingIsBitIdentical(String name, Function<List<Tensor>, Optimizer> makeOpt,
                                       Function<Optimizer, LRScheduler> makeSchedule) {
        double[] w;
        double[] b;
        try (Net net = new Net(1); Optimizer opt = makeOpt.apply(net.parameters())) {
            train(net, opt, makeSchedule.apply(opt), 0, 12);
            w = net.w.toDoubleArray();
            b = net.b.toDoubleArray();
        }
        double[] w5;
        double[] b5;
        byte[] optState;
        byte[] schedState;
        try (Net net = new Net(1); Optimizer opt = makeOpt.apply(net.parameters())) {
            LRScheduler s = makeSchedule.apply(opt);
            train(net, opt, s, 0, 5);
            w5 = net.w.toDoubleArray();
            b5 = net.b.toDoubleArray();
            optState = opt.stateBytes();
            schedState = s.state().toBytes();
        }
        try (Net net = new Net(OptimizerStateTest.values(6, 1), OptimizerStateTest.values(3, 8),
                dev.jtorch.DType.FLOAT64); Optimizer opt = makeOpt.apply(net.parameters())) {
            try (TensorScope t = TensorScope.open()) {
                net.loadStateDict(java.util.Map.of("w", Tensor.of(w5, 3, 2), "b", Tensor.of(b5, 3)));
            }
            LRScheduler s = makeSchedule.apply(opt);
            // schedule first, then optimizer: the order must not matter
            s.loadState(SchedulerState.fromBytes(schedState));
            opt.loadState(optState);
            train(net, opt, s, 5, 12);
            assertArrayEquals(w, net.w.toDoubleArray(), 0.0, name + ": w");
            assertArrayEquals(b, net.b.toDoubleArray(), 0.0, name + ": b");
        }
    }

    // ================================================================ arguments, descriptions

    private static void rejects(String mention, Executable e) {
        IllegalArgumentException x = assertThrows(IllegalArgumentException.class, e);
        assertTrue(x.getMessage().contains(mention), "message should name " + mention + ": " + x.getMessage());
    }

    @Test
    void invalidArgumentsAreRejectedNamingTheSetting() {
        try (SGD opt = new SGD(module.parameters(), 0.1)) {
            rejects("milestones", () -> new MultiStepLR(opt, new int[] {3, 2}, 0.5));
            rejects("milestones", () -> new MultiStepLR(opt, new int[] {2, 2}, 0.5));
            rejects("milestones", () -> new MultiStepLR(opt, new int[] {-1, 2}, 0.5));
            rejects("milestone", () -> new MultiStepLR(opt, new int[0], 0.5));
            rejects("gamma", () -> new MultiStepLR(opt, new int[] {2}, -0.5));
            rejects("gamma", () -> new MultiStepLR(opt, new int[] {2}, Double.NaN));
            rejects("startFactor", () -> new LinearLR(opt, 0, 1, 5));
            rejects("startFactor", () -> new LinearLR(opt, 1.5, 1, 5));
            rejects("endFactor", () -> new LinearLR(opt, 0.5, -0.1, 5));
            rejects("endFactor", () -> new LinearLR(opt, 0.5, Double.NaN, 5));
            rejects("totalIters", () -> new LinearLR(opt, 0.5, 1, 0));
            rejects("maxLr", () -> OneCycleLROptions.of(-0.1, 10));
            rejects("maxLr", () -> OneCycleLROptions.of(Double.NaN, 10));
            rejects("totalSteps", () -> OneCycleLROptions.of(0.1, 0));
            rejects("pctStart", () -> OneCycleLROptions.of(0.1, 10).withPctStart(1.5));
            rejects("baseMomentum", () -> OneCycleLROptions.of(0.1, 10).withMomentum(-0.1, 0.9));
            rejects("maxMomentum", () -> OneCycleLROptions.of(0.1, 10).withMomentum(0.8, Double.NaN));
            rejects("divFactor", () -> OneCycleLROptions.of(0.1, 10).withDivFactor(0));
            rejects("finalDivFactor", () -> OneCycleLROptions.of(0.1, 10).withFinalDivFactor(-1));
            assertThrows(NullPointerException.class, () -> OneCycleLROptions.of(0.1, 10).withAnnealStrategy(null));
            rejects("factor", () -> ReduceLROnPlateauOptions.defaults().withFactor(1.0));
            rejects("factor", () -> ReduceLROnPlateauOptions.defaults().withFactor(-0.1));
            rejects("patience", () -> ReduceLROnPlateauOptions.defaults().withPatience(-1));
            rejects("threshold", () -> ReduceLROnPlateauOptions.defaults().withThreshold(-1e-4, ThresholdMode.REL));
            rejects("cooldown", () -> ReduceLROnPlateauOptions.defaults().withCooldown(-1));
            rejects("minLr", () -> ReduceLROnPlateauOptions.defaults().withMinLr(-1));
            rejects("eps", () -> ReduceLROnPlateauOptions.defaults().withEps(Double.NaN));
            assertThrows(NullPointerException.class, () -> ReduceLROnPlateauOptions.defaults().withMode(null));
            assertThrows(NullPointerException.class, () -> new ReduceLROnPlateau(null));
            assertThrows(NullPointerException.class, () -> new OneCycleLR(opt, null));
            // a phase of zero length: PyTorch divides by zero at that step; here a clear error
            OneCycleLR full = new OneCycleLR(opt, OneCycleLROptions.of(0.1, 4).withPctStart(1.0));
            full.step();
            full.step();
            full.step();
            assertThrows(IllegalStateException.class, full::step);
        }
    }

    @Test
    void defaultsAreThoseOfPyTorch() {
        try (SGD opt = new SGD(module.parameters(), 0.1)) {
            LinearLR l = new LinearLR(opt);
            assertEquals(1.0 / 3, l.options().startFactor(), 0.0);
            assertEquals(1.0, l.options().endFactor(), 0.0);
            assertEquals(5, l.options().totalIters());
            assertEquals(0.1, new MultiStepLR(opt, 2, 4).options().gamma(), 0.0);
        }
        OneCycleLROptions o = OneCycleLROptions.of(0.1, 10);
        assertEquals(new OneCycleLROptions(0.1, 10, 0.3, AnnealStrategy.COS, true, 0.85, 0.95, 25, 1e4, false), o);
        assertEquals(new ReduceLROnPlateauOptions(Mode.MIN, 0.1, 10, 1e-4, ThresholdMode.REL, 0, 0, 1e-8),
                ReduceLROnPlateauOptions.defaults());
    }

    @Test
    void describesItself() {
        try (SGD opt = new SGD(module.parameters(), 0.1)) {
            assertEquals("MultiStepLR(milestones=[2, 5], gamma=0.5)",
                    new MultiStepLR(opt, new int[] {2, 5}, 0.5).toString());
            assertEquals("LinearLR(startFactor=0.25, endFactor=1.0, totalIters=4)",
                    new LinearLR(opt, 0.25, 1.0, 4).toString());
            assertEquals("OneCycleLR(maxLr=0.1, totalSteps=10, pctStart=0.3, annealStrategy=COS, cycleMomentum=true,"
                    + " baseMomentum=0.85, maxMomentum=0.95, divFactor=25.0, finalDivFactor=10000.0,"
                    + " threePhase=false)", new OneCycleLR(opt, 0.1, 10).toString());
            assertEquals("ReduceLROnPlateau(mode=MIN, factor=0.1, patience=10, threshold=1.0E-4, thresholdMode=REL,"
                    + " cooldown=0, minLr=0.0, eps=1.0E-8)", new ReduceLROnPlateau(opt).toString());
        }
    }
}
