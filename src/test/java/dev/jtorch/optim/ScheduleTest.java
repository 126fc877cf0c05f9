package dev.jtorch.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jtorch.Fixtures;
import dev.jtorch.optim.OptimizerGoldenTest.OneParam;
import dev.jtorch.tensor.Tensor;
import dev.jtorch.tensor.TensorScope;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.extension.ExtendWith;
import dev.jtorch.NoLeaks;

/**
 * Learning-rate schedules against PyTorch ({@code optim2.json}'s {@code schedules}: the rate of
 * each epoch of StepLR, CosineAnnealingLR, LinearLR and SequentialLR(LinearLR, CosineAnnealingLR)
 * over 12 epochs), their state round trip, and argument checks.
 */
@ExtendWith(NoLeaks.class)
class ScheduleTest {
    private static final JsonNode FIXTURE = Fixtures.load("optim2.json").get("schedules");
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

    private SGD sgd(double lr) {
        return new SGD(module.parameters(), lr);
    }

    /** The Java schedule for a fixture entry. */
    static LRScheduler build(JsonNode c, Optimizer opt) {
        JsonNode a = c.get("args");
        switch (c.get("name").asText()) {
            case "StepLR":
                return new StepLR(opt, a.get("step_size").asInt(), a.get("gamma").asDouble());
            case "CosineAnnealingLR":
                return new CosineAnnealingLR(opt, a.get("T_max").asInt(), a.get("eta_min").asDouble());
            case "LinearLR":
                return new LinearWarmup(opt, a.get("total_iters").asInt(), a.get("start_factor").asDouble());
            case "WarmupCosine":
                return SequentialLR.warmupCosine(opt, a.get("warmup_steps").asInt(), a.get("start_factor").asDouble(),
                        a.get("T_max").asInt(), a.get("eta_min").asDouble());
            default:
                throw new IllegalArgumentException("unknown schedule " + c.get("name"));
        }
    }

    static Stream<Arguments> schedules() {
        return Fixtures.list(FIXTURE).stream().map(c -> Arguments.of(Named.of(c.get("pytorch").asText(), c)));
    }

    private static double[] doubles(JsonNode array) {
        return Fixtures.list(array).stream().mapToDouble(JsonNode::asDouble).toArray();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("schedules")
    void matchesPyTorch(JsonNode c) {
        double[] recursive = doubles(c.get("lrs"));
        double[] closed = doubles(c.get("closed_form"));
        int epochs = c.get("epochs").asInt();
        assertEquals(epochs + 1, recursive.length);
        try (SGD opt = sgd(c.get("base_lr").asDouble())) {
            LRScheduler s = build(c, opt);
            double[] got = new double[epochs + 1];
            double[] viaLrAt = new double[epochs + 1];
            for (int e = 0; e <= epochs; e++) {
                if (e > 0) {
                    s.step();
                }
                assertEquals(e, s.epoch());
                got[e] = opt.lr();
                assertEquals(got[e], s.lastLr(), 0.0, "lastLr() is the rate set on the optimizer");
                viaLrAt[e] = s.lrAt(e);
            }
            Fixtures.assertClose(closed, got, 0, CLOSED_RTOL, s + " vs PyTorch's closed form");
            Fixtures.assertClose(recursive, got, 0, RECURSIVE_RTOL, s + " vs PyTorch's step() sequence");
            assertArrayEquals(got, viaLrAt, 0.0, "lrAt(e) is the rate step() sets at epoch e");
            assertEquals(c.get("base_lr").asDouble(), s.baseLr(), 0.0);
        }
    }

    @Test
    void constructionSetsTheRateOfEpochZero() {
        try (SGD opt = sgd(0.2)) {
            LinearWarmup w = new LinearWarmup(opt, 4, 0.25);
            assertEquals(0.05, opt.lr(), 1e-17);
            assertEquals(0, w.epoch());
            assertEquals(0.2, w.baseLr(), 0.0);
        }
    }

    @Test
    void laterSchedulesShareTheInitialRate() {
        // PyTorch keeps group["initial_lr"] from the first scheduler; a second one must not take
        // the first one's warm-up rate as its base.
        try (SGD opt = sgd(0.1)) {
            new LinearWarmup(opt, 4, 0.1);
            assertEquals(0.01, opt.lr(), 1e-17);
            CosineAnnealingLR cos = new CosineAnnealingLR(opt, 10, 0);
            assertEquals(0.1, cos.baseLr(), 0.0);
            assertEquals(0.1, opt.lr(), 0.0);
        }
    }

    @Test
    void baseRateIsTheRateWhenTheFirstScheduleIsAttached() {
        try (SGD opt = sgd(0.1)) {
            opt.lr(0.4);
            StepLR s = new StepLR(opt, 2, 0.5);
            assertEquals(0.4, s.baseLr(), 0.0);
            s.step();
            s.step();
            assertEquals(0.2, opt.lr(), 0.0);
        }
    }

    @Test
    void steppingDrivesTheOptimizer() {
        try (SGD opt = sgd(1.0)) {
            StepLR s = new StepLR(opt, 1, 0.5);
            s.step(); // epoch 1: lr 0.5
            module.forward(Tensor.of(new double[] {1, -2}, 2)).backward();
            opt.step();
            assertArrayEquals(new double[] {0.5, 3.0}, module.p.toDoubleArray(), 0.0);
        }
    }

    @Test
    void cosineContinuesPastTMaxWithoutRestart() {
        try (SGD opt = sgd(1.0)) {
            CosineAnnealingLR s = new CosineAnnealingLR(opt, 4, 0.0);
            assertEquals(0.0, s.lrAt(4), 1e-16);
            assertEquals(s.lrAt(3), s.lrAt(5), 1e-15);
            assertEquals(1.0, s.lrAt(8), 1e-15);
        }
    }

    @Test
    void sequentialSwitchesAtMilestonesAndRestartsTheNextSchedule() {
        try (SGD opt = sgd(1.0)) {
            SequentialLR s = new SequentialLR(opt, List.of(new StepLR(opt, 1, 0.5), new StepLR(opt, 1, 0.1),
                    new CosineAnnealingLR(opt, 2, 0)), 2, 4);
            double[] expected = {1.0, 0.5, 1.0, 0.1, 1.0, 0.5, 0.0, 0.5, 1.0};
            for (int e = 0; e < expected.length; e++) {
                assertEquals(expected[e], s.lrAt(e), 1e-15, "epoch " + e);
            }
            assertEquals(1.0, opt.lr(), 0.0, "the first schedule's epoch 0 after construction");
            assertArrayEquals(new int[] {2, 4}, s.milestones());
            assertEquals(3, s.schedulers().size());
            assertEquals("SequentialLR([StepLR(stepSize=1, gamma=0.5), StepLR(stepSize=1, gamma=0.1), "
                    + "CosineAnnealingLR(tMax=2, etaMin=0.0)], milestones=[2, 4])", s.toString());
        }
    }

    // ================================================================ state

    static Stream<Arguments> makers() {
        return Stream.of(
                Arguments.of(Named.<Function<Optimizer, LRScheduler>>of("StepLR", o -> new StepLR(o, 3, 0.5))),
                Arguments.of(Named.<Function<Optimizer, LRScheduler>>of("CosineAnnealingLR",
                        o -> new CosineAnnealingLR(o, 10, 0.001))),
                Arguments.of(Named.<Function<Optimizer, LRScheduler>>of("LinearWarmup",
                        o -> new LinearWarmup(o, 4, 0.1))),
                Arguments.of(Named.<Function<Optimizer, LRScheduler>>of("warmupCosine",
                        o -> SequentialLR.warmupCosine(o, 3, 0.1, 8, 0.001))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("makers")
    void stateRoundTripsAndResumesExactly(Function<Optimizer, LRScheduler> make) {
        double[] uninterrupted = new double[13];
        SchedulerState saved;
        try (SGD opt = sgd(0.1)) {
            LRScheduler s = make.apply(opt);
            SchedulerState at5 = null;
            for (int e = 0; e <= 12; e++) {
                if (e > 0) {
                    s.step();
                }
                if (e == 5) {
                    at5 = s.state();
                }
                uninterrupted[e] = opt.lr();
            }
            saved = SchedulerState.fromBytes(at5.toBytes());
            assertEquals(at5, saved, "bytes round trip");
            assertEquals(5, saved.epoch());
            assertEquals(0.1, saved.baseLr(), 0.0);
            assertEquals(s.toString(), saved.schedule());
        }
        // a fresh optimizer built with another rate: the state restores base rate, epoch and the rate
        try (SGD opt = sgd(0.7)) {
            LRScheduler s = make.apply(opt);
            s.loadState(saved);
            assertEquals(5, s.epoch());
            assertEquals(0.1, s.baseLr(), 0.0);
            assertEquals(uninterrupted[5], opt.lr(), 0.0);
            assertEquals(uninterrupted[5], s.lastLr(), 0.0);
            for (int e = 6; e <= 12; e++) {
                s.step();
                assertEquals(uninterrupted[e], opt.lr(), 0.0, "epoch " + e);
            }
        }
    }

    @Test
    void stateOfAnotherScheduleIsRefused() {
        try (SGD opt = sgd(0.1)) {
            StepLR a = new StepLR(opt, 3, 0.5);
            a.step();
            SchedulerState st = a.state();
            StepLR other = new StepLR(opt, 2, 0.5);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> other.loadState(st));
            assertTrue(e.getMessage().contains("StepLR(stepSize=3, gamma=0.5)"), e.getMessage());
            assertTrue(e.getMessage().contains("StepLR(stepSize=2, gamma=0.5)"), e.getMessage());
            CosineAnnealingLR cos = new CosineAnnealingLR(opt, 10);
            assertThrows(IllegalArgumentException.class, () -> cos.loadState(st));
            assertEquals(0, other.epoch(), "a refused state changes nothing");
        }
    }

    @Test
    void badStateBytesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> SchedulerState.fromBytes(new byte[0]));
        assertThrows(IllegalArgumentException.class, () -> SchedulerState.fromBytes(new byte[] {1, 2, 3, 4, 5}));
        byte[] ok = new SchedulerState("StepLR(stepSize=3, gamma=0.5)", 2, 0.1).toBytes();
        assertThrows(IllegalArgumentException.class,
                () -> SchedulerState.fromBytes(java.util.Arrays.copyOf(ok, ok.length - 1)));
        assertThrows(IllegalArgumentException.class,
                () -> SchedulerState.fromBytes(java.util.Arrays.copyOf(ok, ok.length + 1)));
        assertThrows(IllegalArgumentException.class, () -> new SchedulerState("x", -1, 0.1));
        assertThrows(IllegalArgumentException.class, () -> new SchedulerState("x", 0, Double.NaN));
    }

    // ================================================================ invalid arguments

    @Test
    void invalidArgumentsAreRejected() {
        try (SGD opt = sgd(0.1); SGD other = sgd(0.1)) {
            assertThrows(IllegalArgumentException.class, () -> new StepLR(opt, 0, 0.5));
            assertThrows(IllegalArgumentException.class, () -> new StepLR(opt, 3, -0.5));
            assertThrows(IllegalArgumentException.class, () -> new StepLR(opt, 3, Double.NaN));
            assertThrows(IllegalArgumentException.class, () -> new StepLR(opt, 3, Double.POSITIVE_INFINITY));
            assertThrows(IllegalArgumentException.class, () -> new CosineAnnealingLR(opt, 0, 0));
            assertThrows(IllegalArgumentException.class, () -> new CosineAnnealingLR(opt, 10, -0.1));
            assertThrows(IllegalArgumentException.class, () -> new CosineAnnealingLR(opt, 10, Double.NaN));
            assertThrows(IllegalArgumentException.class, () -> new LinearWarmup(opt, 0, 0.1));
            assertThrows(IllegalArgumentException.class, () -> new LinearWarmup(opt, 4, 0));
            assertThrows(IllegalArgumentException.class, () -> new LinearWarmup(opt, 4, 1.5));
            assertThrows(IllegalArgumentException.class, () -> new LinearWarmup(opt, 4, Double.NaN));
            assertThrows(IllegalArgumentException.class, () -> SequentialLR.warmupCosine(opt, 0, 0.1, 8, 0));
            assertThrows(IllegalArgumentException.class, () -> SequentialLR.warmupCosine(opt, 3, 0.1, 0, 0));
            assertThrows(NullPointerException.class, () -> new StepLR(null, 3, 0.5));
            StepLR a = new StepLR(opt, 3, 0.5);
            StepLR b = new StepLR(opt, 2, 0.5);
            StepLR foreign = new StepLR(other, 2, 0.5);
            assertThrows(IllegalArgumentException.class, () -> new SequentialLR(opt, List.of()));
            assertThrows(IllegalArgumentException.class, () -> new SequentialLR(opt, List.of(a, b)));
            assertThrows(IllegalArgumentException.class, () -> new SequentialLR(opt, List.of(a, b), 2, 4));
            assertThrows(IllegalArgumentException.class, () -> new SequentialLR(opt, List.of(a, b), 0));
            assertThrows(IllegalArgumentException.class, () -> new SequentialLR(opt, List.of(a, b, a), 3, 3));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new SequentialLR(opt, List.of(a, foreign), 3));
            assertTrue(e.getMessage().contains("different optimizer"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> a.lrAt(-1));
        }
    }

    @Test
    void describesItself() {
        try (SGD opt = sgd(0.1)) {
            assertEquals("StepLR(stepSize=3, gamma=0.5)", new StepLR(opt, 3, 0.5).toString());
            assertEquals("CosineAnnealingLR(tMax=10, etaMin=0.001)", new CosineAnnealingLR(opt, 10, 0.001).toString());
            assertEquals("LinearWarmup(warmupSteps=4, startFactor=0.1)", new LinearWarmup(opt, 4, 0.1).toString());
            assertNotEquals(new StepLR(opt, 3, 0.5).toString(), new StepLR(opt, 3, 0.25).toString());
        }
    }
}
