package dev.jtorch.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jtorch.DType;
import dev.jtorch.Device;
import dev.jtorch.Torch;
import dev.jtorch.TorchException;
import dev.jtorch.nn.Module;
import dev.jtorch.tensor.Shape;
import dev.jtorch.tensor.Tensor;
import dev.jtorch.tensor.TensorScope;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
 * Optimizer state save/restore: training k steps, saving model and optimizer (and schedule),
 * rebuilding everything fresh, loading, and training m more steps gives bit for bit the
 * parameters of k + m uninterrupted steps (float64); states that do not fit are refused with a
 * message naming the mismatch.
 */
@ExtendWith(NoLeaks.class)
class OptimizerStateTest {
    private static final int K = 5;
    private static final int M = 6;
    /** Schedule epochs are this many optimizer steps. */
    private static final int STEPS_PER_EPOCH = 2;

    /** Holds the initial values the modules copy; each training step opens its own. */
    private TensorScope scope;

    @BeforeEach
    void openScope() {
        scope = TensorScope.open();
    }

    @AfterEach
    void closeResources() {
        scope.close();
    }

    /** Two parameters of different shapes and a loss whose gradient depends on them. */
    static final class Net extends Module {
        final Tensor w;
        final Tensor b;

        Net(double[] w0, double[] b0, DType dtype) {
            w = registerParameter("w", Tensor.of(w0, Shape.of(3, 2), dtype, Device.CPU));
            b = registerParameter("b", Tensor.of(b0, Shape.of(3), dtype, Device.CPU));
        }

        Net(long seed) {
            this(values(6, seed), values(3, seed + 7), DType.FLOAT64);
        }

        /** {@code sum((w * x)^2) + sum((b * y)^3)}: non-quadratic, so the steps differ in size. */
        @Override
        public Tensor forward(Tensor step) {
            double k = step.item();
            Tensor x = Tensor.of(values(6, 100 + (long) k), 3, 2);
            Tensor y = Tensor.of(values(3, 200 + (long) k), 3);
            return w.mul(x).pow(2).sum().add(b.mul(y).pow(3).sum());
        }
    }

    /** Deterministic pseudo-random values in (-1, 1). */
    static double[] values(int n, long seed) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = Math.sin(seed * 12.9898 + i * 78.233) * 0.9;
        }
        return v;
    }

    static Stream<Arguments> optimizers() {
        return Stream.of(
                Arguments.of(Named.<Function<List<Tensor>, Optimizer>>of("SGD momentum 0.9",
                        ps -> new SGD(ps, SGDOptions.lr(0.05).withMomentum(0.9)))),
                Arguments.of(Named.<Function<List<Tensor>, Optimizer>>of("SGD Nesterov, weight decay",
                        ps -> new SGD(ps, SGDOptions.lr(0.05).withMomentum(0.9).withNesterov(true)
                                .withWeightDecay(0.01)))),
                Arguments.of(Named.<Function<List<Tensor>, Optimizer>>of("Adam",
                        ps -> new Adam(ps, AdamOptions.lr(0.05)))),
                Arguments.of(Named.<Function<List<Tensor>, Optimizer>>of("Adam AMSGrad",
                        ps -> new Adam(ps, AdamOptions.lr(0.05).withAmsgrad(true).withWeightDecay(0.01)))),
                Arguments.of(Named.<Function<List<Tensor>, Optimizer>>of("AdamW",
                        ps -> new AdamW(ps, AdamWOptions.lr(0.05)))),
                Arguments.of(Named.<Function<List<Tensor>, Optimizer>>of("AdamW AMSGrad",
                        ps -> new AdamW(ps, AdamWOptions.lr(0.05).withAmsgrad(true).withBetas(0.8, 0.95)))),
                Arguments.of(Named.<Function<List<Tensor>, Optimizer>>of("RMSprop",
                        ps -> new RMSprop(ps, RMSpropOptions.lr(0.01)))),
                Arguments.of(Named.<Function<List<Tensor>, Optimizer>>of("RMSprop momentum, centered, weight decay",
                        ps -> new RMSprop(ps, RMSpropOptions.lr(0.01).withMomentum(0.9).withCentered(true)
                                .withWeightDecay(0.01)))),
                Arguments.of(Named.<Function<List<Tensor>, Optimizer>>of("Adagrad",
                        ps -> new Adagrad(ps, AdagradOptions.lr(0.05)))),
                Arguments.of(Named.<Function<List<Tensor>, Optimizer>>of("Adagrad lr decay, accumulator, weight decay",
                        ps -> new Adagrad(ps, AdagradOptions.lr(0.05).withLrDecay(0.1)
                                .withInitialAccumulatorValue(0.2).withWeightDecay(0.01)))));
    }

    private static void train(Net net, Optimizer opt, LRScheduler schedule, int from, int to) {
        for (int k = from; k < to; k++) {
            try (TensorScope s = TensorScope.open()) {
                opt.zeroGrad();
                net.forward(Tensor.of(new double[] {k}, 1).sum()).backward();
                opt.step();
            }
            if ((k + 1) % STEPS_PER_EPOCH == 0) {
                schedule.step();
            }
        }
    }

    private static LRScheduler schedule(Optimizer opt) {
        return SequentialLR.warmupCosine(opt, 2, 0.2, 4, 0.001);
    }

    /** What a checkpoint holds: parameter values (exact doubles), optimizer and schedule state. */
    record Checkpoint(Map<String, double[]> model, byte[] optimizer, byte[] schedule) {}

    @ParameterizedTest(name = "{0}")
    @MethodSource("optimizers")
    void resumingIsBitIdenticalToUninterruptedTraining(Function<List<Tensor>, Optimizer> make) {
        Map<String, double[]> expected = new LinkedHashMap<>();
        try (Net net = new Net(1); Optimizer opt = make.apply(net.parameters())) {
            train(net, opt, schedule(opt), 0, K + M);
            expected.put("w", net.w.toDoubleArray());
            expected.put("b", net.b.toDoubleArray());
        }

        Checkpoint ckpt;
        double lrAtSave;
        try (Net net = new Net(1); Optimizer opt = make.apply(net.parameters())) {
            LRScheduler sched = schedule(opt);
            train(net, opt, sched, 0, K);
            Map<String, double[]> model = new LinkedHashMap<>();
            net.stateDict().forEach((k, v) -> model.put(k, v.toDoubleArray()));
            ckpt = new Checkpoint(model, opt.stateBytes(), sched.state().toBytes());
            lrAtSave = opt.lr();
        } // the old model and optimizer are closed before the state is used

        try (Net net = new Net(99); Optimizer opt = make.apply(net.parameters())) {
            LRScheduler sched = schedule(opt);
            try (TensorScope s = TensorScope.open()) {
                Map<String, Tensor> sd = new LinkedHashMap<>();
                ckpt.model().forEach((k, v) -> sd.put(k, Tensor.of(v, k.equals("w") ? new long[] {3, 2} : new long[] {3})));
                net.loadStateDict(sd);
            }
            opt.loadState(ckpt.optimizer());
            sched.loadState(SchedulerState.fromBytes(ckpt.schedule()));
            assertEquals(lrAtSave, opt.lr(), 0.0, "the learning rate at the save");
            train(net, opt, sched, K, K + M);
            assertArrayEquals(expected.get("w"), net.w.toDoubleArray(), 0.0, "w after resume");
            assertArrayEquals(expected.get("b"), net.b.toDoubleArray(), 0.0, "b after resume");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("optimizers")
    void withoutTheOptimizerStateTheRunDiffers(Function<List<Tensor>, Optimizer> make) {
        // guards the test above against passing vacuously: a fresh optimizer state changes the result
        double[] expected;
        try (Net net = new Net(1); Optimizer opt = make.apply(net.parameters())) {
            train(net, opt, schedule(opt), 0, K + M);
            expected = net.w.toDoubleArray();
        }
        try (Net net = new Net(1); Optimizer opt = make.apply(net.parameters())) {
            LRScheduler sched = schedule(opt);
            train(net, opt, sched, 0, K);
            SchedulerState st = sched.state();
            try (Optimizer fresh = make.apply(net.parameters())) {
                LRScheduler s2 = schedule(fresh);
                s2.loadState(st);
                train(net, fresh, s2, K, K + M);
            }
            assertNotEquals(Arrays.toString(expected), Arrays.toString(net.w.toDoubleArray()));
        }
    }

    @Test
    void stateIsALibtorchArchiveAndStableAcrossSaves() {
        try (Net net = new Net(1); Adam opt = new Adam(net.parameters(), 0.01)) {
            byte[] fresh = opt.stateBytes();
            assertTrue(fresh.length > 4 && fresh[0] == 'P' && fresh[1] == 'K', "a zip archive");
            train(net, opt, new StepLR(opt, 1, 1.0), 0, 3);
            byte[] a = opt.stateBytes();
            opt.loadState(a);
            opt.loadState(fresh); // back to no state: allowed
            opt.loadState(a);
            double[] before = net.w.toDoubleArray();
            try (Net net2 = new Net(1); Adam opt2 = new Adam(net2.parameters(), 0.01)) {
                train(net2, opt2, new StepLR(opt2, 1, 1.0), 0, 3);
                opt2.loadState(a);
                train(net, opt, new StepLR(opt, 1, 1.0), 3, 4);
                train(net2, opt2, new StepLR(opt2, 1, 1.0), 3, 4);
                assertArrayEquals(net.w.toDoubleArray(), net2.w.toDoubleArray(), 0.0);
                assertNotEquals(Arrays.toString(before), Arrays.toString(net.w.toDoubleArray()));
            }
        }
    }

    @Test
    void loadingRestoresTheSavedLearningRate() {
        byte[] state;
        try (Net net = new Net(1); SGD opt = new SGD(net.parameters(), SGDOptions.lr(0.1).withMomentum(0.9))) {
            opt.lr(0.0125);
            state = opt.stateBytes();
        }
        try (Net net = new Net(1); SGD opt = new SGD(net.parameters(), SGDOptions.lr(0.5).withMomentum(0.9))) {
            opt.loadState(state);
            assertEquals(0.0125, opt.lr(), 0.0);
            assertEquals(0.5, opt.options().lr(), 0.0, "options() keeps the construction settings");
        }
    }

    // ================================================================ states that do not fit

    private static byte[] stateOf(Function<List<Tensor>, Optimizer> make) {
        try (Net net = new Net(1); Optimizer opt = make.apply(net.parameters())) {
            train(net, opt, new StepLR(opt, 1, 1.0), 0, 2);
            return opt.stateBytes();
        }
    }

    private static IllegalArgumentException refused(Optimizer opt, byte[] state, String... mentions) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> opt.loadState(state));
        for (String m : mentions) {
            assertTrue(e.getMessage().contains(m), "message should mention '" + m + "': " + e.getMessage());
        }
        return e;
    }

    @Test
    void stateOfAnotherOptimizerKindIsRefused() {
        byte[] sgd = stateOf(ps -> new SGD(ps, SGDOptions.lr(0.1).withMomentum(0.9)));
        byte[] adam = stateOf(ps -> new Adam(ps, 0.01));
        byte[] adamW = stateOf(ps -> new AdamW(ps, 0.01));
        try (Net net = new Net(1);
             Adam opt = new Adam(net.parameters(), 0.01);
             AdamW optW = new AdamW(net.parameters(), 0.01);
             SGD optS = new SGD(net.parameters(), SGDOptions.lr(0.1).withMomentum(0.9))) {
            refused(opt, sgd, "SGD", "Adam");
            // libtorch alone would accept this one: AdamW's state and options have Adam's layout
            refused(opt, adamW, "AdamW", "Adam");
            refused(optW, adam, "Adam", "AdamW");
            refused(optS, adam, "Adam", "SGD");
            // the optimizer still works and its state is untouched
            train(net, opt, new StepLR(opt, 1, 1.0), 0, 1);
            opt.loadState(adam);
        }
    }

    @Test
    void stateWithOtherSettingsIsRefused() {
        byte[] momentum9 = stateOf(ps -> new SGD(ps, SGDOptions.lr(0.1).withMomentum(0.9)));
        byte[] amsgrad = stateOf(ps -> new Adam(ps, AdamOptions.lr(0.01).withAmsgrad(true)));
        try (Net net = new Net(1);
             SGD opt = new SGD(net.parameters(), SGDOptions.lr(0.1).withMomentum(0.5));
             Adam adam = new Adam(net.parameters(), 0.01)) {
            refused(opt, momentum9, "momentum=0.9", "momentum=0.5");
            refused(adam, amsgrad, "amsgrad=true", "amsgrad=false");
        }
    }

    @Test
    void stateOfOtherParameterShapesIsRefused() {
        byte[] state = stateOf(ps -> new Adam(ps, 0.01));
        try (TensorScope s = TensorScope.open()) {
            // same count, the first parameter transposed
            Tensor wt = Tensor.zeros(Shape.of(2, 3), DType.FLOAT64, Device.CPU).requiresGrad(true);
            Tensor b = Tensor.zeros(Shape.of(3), DType.FLOAT64, Device.CPU).requiresGrad(true);
            try (Adam opt = new Adam(List.of(wt, b), 0.01)) {
                refused(opt, state, "parameter 0", "[3, 2]", "[2, 3]");
            }
            // one parameter fewer
            try (Adam opt = new Adam(List.of(b), 0.01)) {
                refused(opt, state, "2 parameters", "has 1");
            }
            // same shapes, float32
            Tensor w32 = Tensor.zeros(Shape.of(3, 2), DType.FLOAT32, Device.CPU).requiresGrad(true);
            Tensor b32 = Tensor.zeros(Shape.of(3), DType.FLOAT32, Device.CPU).requiresGrad(true);
            try (Adam opt = new Adam(List.of(w32, b32), 0.01)) {
                refused(opt, state, "float64", "float32");
            }
        }
    }

    @Test
    void bytesThatAreNoStateAreRefused() {
        byte[] state = stateOf(ps -> new Adam(ps, 0.01));
        try (Net net = new Net(1); Adam opt = new Adam(net.parameters(), 0.01)) {
            assertThrows(IllegalArgumentException.class, () -> opt.loadState(new byte[0]));
            assertThrows(NullPointerException.class, () -> opt.loadState(null));
            TorchException e = assertThrows(TorchException.class, () -> opt.loadState("not a zip".getBytes()));
            assertTrue(e.getMessage().startsWith("Adam.loadState"), e.getMessage());
            assertThrows(TorchException.class, () -> opt.loadState(Arrays.copyOf(state, state.length / 2)));
            byte[] badMagic = state.clone();
            badMagic[0] = 'X'; // no longer a zip
            assertThrows(TorchException.class, () -> opt.loadState(badMagic));
            // still usable afterwards
            opt.loadState(state);
            train(net, opt, new StepLR(opt, 1, 1.0), 2, 3);
        }
    }

    @Test
    void closedOptimizerRefusesStateCalls() {
        byte[] state = stateOf(ps -> new Adam(ps, 0.01));
        try (Net net = new Net(1)) {
            Adam opt = new Adam(net.parameters(), 0.01);
            opt.close();
            assertThrows(IllegalStateException.class, opt::stateBytes);
            assertThrows(IllegalStateException.class, () -> opt.loadState(state));
        }
    }

    @ParameterizedTest
    @MethodSource("optimizers")
    void anOptimizerOfAClosedModuleRefusesEveryParameterCall(Function<List<Tensor>, Optimizer> make) {
        byte[] state;
        Net net = new Net(1);
        try (Optimizer opt = make.apply(net.parameters())) {
            state = opt.stateBytes();
            net.close();
            String kind = opt.getClass().getSimpleName();
            for (org.junit.jupiter.api.function.Executable call : List.<org.junit.jupiter.api.function.Executable>of(
                    opt::step, opt::zeroGrad, () -> opt.zeroGrad(false), opt::stateBytes, () -> opt.loadState(state),
                    opt::parameters)) {
                IllegalStateException e = assertThrows(IllegalStateException.class, call);
                assertTrue(e.getMessage().startsWith(kind + ".") && e.getMessage().contains("module closed"),
                        e.getMessage());
            }
            assertTrue(opt.lr() > 0, "the settings stay readable");
        }
    }

    @Test
    void savingAndLoadingManyTimesLeaksNothing() {
        try (Net net = new Net(1); AdamW opt = new AdamW(net.parameters(), 0.01)) {
            train(net, opt, new StepLR(opt, 1, 1.0), 0, 2);
            long handles = Torch.liveHandles();
            for (int i = 0; i < 200; i++) {
                opt.loadState(opt.stateBytes());
            }
            assertEquals(handles, Torch.liveHandles());
        }
    }
}
