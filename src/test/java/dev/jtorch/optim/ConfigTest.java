package dev.jtorch.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jtorch.NoLeaks;
import dev.jtorch.optim.OptimizerGoldenTest.OneParam;
import dev.jtorch.tensor.Tensor;
import dev.jtorch.tensor.TensorScope;
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
 * {@link OptimizerConfig#build} and {@link SchedulerConfig#build} against the constructors they
 * stand for: the same parameter updates, the same learning rates, the same descriptions and
 * states, the same refusals.
 */
@ExtendWith(NoLeaks.class)
class ConfigTest {
    private static final double[] START = {1, -2, 3};
    private static final double[] INPUT = {0.5, -1, 2};

    // ================================================================ optimizers

    private static Arguments optimizer(OptimizerConfig config, Function<Iterable<Tensor>, Optimizer> direct) {
        return Arguments.of(Named.of(config.toString(), config), direct);
    }

    static Stream<Arguments> optimizers() {
        SGDOptions sgd = SGDOptions.lr(0.1).withMomentum(0.9).withNesterov(true).withWeightDecay(0.01);
        AdamOptions adam = AdamOptions.lr(0.05).withBetas(0.8, 0.99).withAmsgrad(true).withWeightDecay(0.1);
        AdamWOptions adamW = AdamWOptions.lr(0.05).withWeightDecay(0.2).withEps(1e-6);
        RMSpropOptions rmsprop = RMSpropOptions.lr(0.01).withMomentum(0.5).withCentered(true);
        AdagradOptions adagrad = AdagradOptions.lr(0.1).withLrDecay(0.01).withInitialAccumulatorValue(0.1);
        return Stream.of(
                optimizer(sgd, p -> new SGD(p, sgd)),
                optimizer(adam, p -> new Adam(p, adam)),
                optimizer(adamW, p -> new AdamW(p, adamW)),
                optimizer(rmsprop, p -> new RMSprop(p, rmsprop)),
                optimizer(adagrad, p -> new Adagrad(p, adagrad)));
    }

    /** The parameter after three steps of {@code opt} on {@code m}, whose gradient is {@link #INPUT}. */
    private static double[] threeSteps(OneParam m, Optimizer opt) {
        for (int i = 0; i < 3; i++) {
            try (TensorScope s = TensorScope.open()) {
                opt.zeroGrad();
                m.forward(Tensor.of(INPUT, 3)).backward();
                opt.step();
            }
        }
        return m.p.toDoubleArray();
    }

    @ParameterizedTest
    @MethodSource("optimizers")
    void anOptimizerBuiltFromItsConfigEqualsTheConstructed(OptimizerConfig config,
                                                           Function<Iterable<Tensor>, Optimizer> direct) {
        try (TensorScope s = TensorScope.open(); OneParam a = new OneParam(Tensor.of(START, 3));
             OneParam b = new OneParam(Tensor.of(START, 3));
             Optimizer built = config.build(a.parameters()); Optimizer made = direct.apply(b.parameters())) {
            assertSame(made.getClass(), built.getClass());
            assertEquals(config, ((ConfiguredOptimizer<?>) built).options());
            assertEquals(config.lr(), built.lr(), 0.0);
            double[] want = threeSteps(b, made);
            assertArrayEquals(want, threeSteps(a, built), 0.0);
            assertTrue(want[0] != START[0], "the optimizer moved the parameter");
            built.loadState(made.stateBytes()); // same kind, same settings: the states are interchangeable
        }
    }

    @Test
    void adamAndAdamWShareOneValidation() {
        for (Function<Double, OptimizerConfig> eps : List.<Function<Double, OptimizerConfig>>of(
                e -> AdamOptions.defaults().withEps(e), e -> AdamWOptions.defaults().withEps(e))) {
            assertEquals("invalid eps: Infinity",
                    assertThrows(IllegalArgumentException.class, () -> eps.apply(Double.POSITIVE_INFINITY)).getMessage());
            assertEquals("invalid eps: -1.0",
                    assertThrows(IllegalArgumentException.class, () -> eps.apply(-1.0)).getMessage());
        }
        assertEquals(
                assertThrows(IllegalArgumentException.class, () -> AdamOptions.defaults().withBetas(0.9, 1))
                        .getMessage(),
                assertThrows(IllegalArgumentException.class, () -> AdamWOptions.defaults().withBetas(0.9, 1))
                        .getMessage());
        assertEquals("invalid weight decay: Infinity", assertThrows(IllegalArgumentException.class,
                () -> AdamOptions.defaults().withWeightDecay(Double.POSITIVE_INFINITY)).getMessage());
    }

    // ================================================================ schedules

    private static Arguments schedule(SchedulerConfig<? extends LRScheduler> config,
                                      Function<Optimizer, LRScheduler> direct) {
        return Arguments.of(Named.of(config.toString(), config), direct);
    }

    static Stream<Arguments> schedules() {
        SequentialLROptions joined = new SequentialLROptions(
                List.of(new StepLROptions(2, 0.5), MultiStepLROptions.of(1, 3).withGamma(0.2)), List.of(4));
        OneCycleLROptions cycle = OneCycleLROptions.of(0.5, 12).withThreePhase(true)
                .withAnnealStrategy(OneCycleLR.AnnealStrategy.LINEAR);
        return Stream.of(
                schedule(new StepLROptions(3, 0.5), o -> new StepLR(o, 3, 0.5)),
                schedule(MultiStepLROptions.of(2, 5), o -> new MultiStepLR(o, 2, 5)),
                schedule(new MultiStepLROptions(List.of(1, 4), 0.3), o -> new MultiStepLR(o, new int[] {1, 4}, 0.3)),
                schedule(new CosineAnnealingLROptions(8, 0.01), o -> new CosineAnnealingLR(o, 8, 0.01)),
                schedule(new CosineAnnealingLROptions(8), o -> new CosineAnnealingLR(o, 8)),
                schedule(LinearLROptions.defaults(), LinearLR::new),
                schedule(new LinearLROptions(0.5, 0.1, 4), o -> new LinearLR(o, 0.5, 0.1, 4)),
                schedule(new LinearWarmupOptions(4, 0.1), o -> new LinearWarmup(o, 4, 0.1)),
                schedule(SequentialLROptions.warmupCosine(3, 0.2, 6, 0.001),
                        o -> SequentialLR.warmupCosine(o, 3, 0.2, 6, 0.001)),
                schedule(joined, o -> new SequentialLR(o, List.of(new StepLR(o, 2, 0.5),
                        new MultiStepLR(o, new int[] {1, 3}, 0.2)), 4)),
                schedule(cycle, o -> new OneCycleLR(o, cycle)));
    }

    @ParameterizedTest
    @MethodSource("schedules")
    void aScheduleBuiltFromItsConfigEqualsTheConstructed(SchedulerConfig<? extends LRScheduler> config,
                                                         Function<Optimizer, LRScheduler> direct) {
        try (TensorScope s = TensorScope.open(); OneParam a = new OneParam(Tensor.of(START, 3));
             OneParam b = new OneParam(Tensor.of(START, 3));
             SGD builtOpt = new SGD(a.parameters(), SGDOptions.lr(0.1).withMomentum(0.9));
             SGD madeOpt = new SGD(b.parameters(), SGDOptions.lr(0.1).withMomentum(0.9))) {
            LRScheduler built = config.build(builtOpt);
            LRScheduler made = direct.apply(madeOpt);
            assertSame(made.getClass(), built.getClass());
            assertEquals(made.toString(), built.toString());
            assertSame(builtOpt, built.optimizer());
            for (int epoch = 0; epoch <= 12; epoch++) {
                assertEquals(made.lastLr(), built.lastLr(), 0.0, "epoch " + epoch);
                assertEquals(madeOpt.lr(), builtOpt.lr(), 0.0, "epoch " + epoch);
                assertEquals(madeOpt.momentum(), builtOpt.momentum(), 0.0, "epoch " + epoch);
                assertEquals(made.state(), built.state());
                if (epoch < 12) {
                    made.step();
                    built.step();
                }
            }
        }
    }

    @Test
    void aPlateauScheduleBuiltFromItsConfigEqualsTheConstructed() {
        ReduceLROnPlateauOptions config = ReduceLROnPlateauOptions.defaults().withPatience(1).withFactor(0.5)
                .withMode(ReduceLROnPlateau.Mode.MAX);
        try (TensorScope s = TensorScope.open(); OneParam a = new OneParam(Tensor.of(START, 3));
             OneParam b = new OneParam(Tensor.of(START, 3));
             SGD builtOpt = new SGD(a.parameters(), 0.1); SGD madeOpt = new SGD(b.parameters(), 0.1)) {
            ReduceLROnPlateau built = config.build(builtOpt);
            ReduceLROnPlateau made = new ReduceLROnPlateau(madeOpt, config);
            assertEquals(made.toString(), built.toString());
            for (double metric : new double[] {0.5, 0.6, 0.6, 0.6, 0.7, 0.1, 0.1, 0.1}) {
                made.step(metric);
                built.step(metric);
                assertEquals(madeOpt.lr(), builtOpt.lr(), 0.0);
                assertEquals(made.state(), built.state());
            }
            assertTrue(builtOpt.lr() < 0.1, "the plateaus reduced the rate");
        }
    }

    @Test
    void configsRefuseWhatTheConstructorsRefuse() {
        try (TensorScope s = TensorScope.open(); OneParam a = new OneParam(Tensor.of(START, 3));
             SGD opt = new SGD(a.parameters(), 0.1)) {
            List<Function<Boolean, Object>> cases = List.of(
                    viaConfig -> viaConfig ? new StepLROptions(0, 0.5) : new StepLR(opt, 0, 0.5),
                    viaConfig -> viaConfig ? new StepLROptions(3, -1) : new StepLR(opt, 3, -1),
                    viaConfig -> viaConfig ? new CosineAnnealingLROptions(5, Double.NaN)
                            : new CosineAnnealingLR(opt, 5, Double.NaN),
                    viaConfig -> viaConfig ? new LinearLROptions(0.5, 2, 3) : new LinearLR(opt, 0.5, 2, 3),
                    viaConfig -> viaConfig ? new LinearWarmupOptions(2, 0) : new LinearWarmup(opt, 2, 0),
                    viaConfig -> viaConfig ? MultiStepLROptions.of(3, 3) : new MultiStepLR(opt, 3, 3),
                    viaConfig -> viaConfig ? MultiStepLROptions.of() : new MultiStepLR(opt),
                    viaConfig -> viaConfig ? new SequentialLROptions(List.of(new StepLROptions(1, 1)), List.of(2))
                            : new SequentialLR(opt, List.of(new StepLR(opt, 1, 1)), 2),
                    viaConfig -> viaConfig ? SequentialLROptions.warmupCosine(3, 0.1, 0, 0)
                            : SequentialLR.warmupCosine(opt, 3, 0.1, 0, 0));
            for (Function<Boolean, Object> c : cases) {
                String viaConstructor = assertThrows(IllegalArgumentException.class, () -> c.apply(false)).getMessage();
                assertEquals(viaConstructor,
                        assertThrows(IllegalArgumentException.class, () -> c.apply(true)).getMessage());
            }
        }
    }

    @Test
    void descriptionsNameEverySettingInOrder() {
        assertEquals("OneCycleLR(maxLr=0.1, totalSteps=10, pctStart=0.3, annealStrategy=COS, cycleMomentum=true,"
                + " baseMomentum=0.85, maxMomentum=0.95, divFactor=25.0, finalDivFactor=10000.0, threePhase=false)",
                LRScheduler.describe("OneCycleLR", OneCycleLROptions.of(0.1, 10)));
        assertEquals("ReduceLROnPlateau(mode=MIN, factor=0.1, patience=10, threshold=1.0E-4, thresholdMode=REL,"
                + " cooldown=0, minLr=0.0, eps=1.0E-8)",
                LRScheduler.describe("ReduceLROnPlateau", ReduceLROnPlateauOptions.defaults()));
        assertEquals("MultiStepLR(milestones=[2, 4], gamma=0.1)",
                LRScheduler.describe("MultiStepLR", MultiStepLROptions.of(2, 4)));
        assertEquals("LinearLR(startFactor=0.3333333333333333, endFactor=1.0, totalIters=5)",
                LRScheduler.describe("LinearLR", LinearLROptions.defaults()));
    }
}
