package dev.jtorch.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jtorch.DType;
import dev.jtorch.NoLeaks;
import dev.jtorch.Property;
import dev.jtorch.internal.NativeOptimizer;
import dev.jtorch.tensor.Tensor;
import dev.jtorch.tensor.TensorScope;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * SGD's fused update (one {@code aten::_fused_sgd_} call on libtorch's own momentum buffers)
 * follows libtorch's per-parameter SGD step for step, in every setting, through a changed learning
 * rate and momentum, and through states saved by one and loaded into the other.
 */
@ExtendWith(NoLeaks.class)
class SGDFusedTest {
    private static final int STEPS = 12;

    static Stream<Arguments> settings() {
        return Stream.of(
                Arguments.of("plain", SGDOptions.lr(0.05)),
                Arguments.of("momentum", SGDOptions.lr(0.05).withMomentum(0.9)),
                Arguments.of("dampening", SGDOptions.lr(0.05).withMomentum(0.8).withDampening(0.3)),
                Arguments.of("nesterov, weight decay",
                        SGDOptions.lr(0.05).withMomentum(0.9).withNesterov(true).withWeightDecay(0.01)),
                Arguments.of("weight decay, no momentum", SGDOptions.lr(0.05).withWeightDecay(0.1)));
    }

    /** An SGD built with the fused update on or off (the switch is read when the optimizer is built). */
    private static <T> T withFused(boolean on, Supplier<T> make) {
        String key = Property.FUSED_SGD.key();
        String was = System.getProperty(key);
        System.setProperty(key, Boolean.toString(on));
        try {
            return make.get();
        } finally {
            if (was == null) {
                System.clearProperty(key);
            } else {
                System.setProperty(key, was);
            }
        }
    }

    private static OptimizerStateTest.Net net(DType dtype) {
        return new OptimizerStateTest.Net(OptimizerStateTest.values(6, 1), OptimizerStateTest.values(3, 8), dtype);
    }

    private static void train(OptimizerStateTest.Net net, Optimizer opt, int from, int to) {
        for (int k = from; k < to; k++) {
            try (TensorScope s = TensorScope.open()) {
                opt.zeroGrad();
                net.forward(Tensor.of(new double[] {k}, 1).sum()).backward();
                opt.step();
            }
            if (k == 6) { // a schedule's changes reach the fused call
                opt.lr(opt.lr() * 0.5);
            }
        }
    }

    private static void assertSame(OptimizerStateTest.Net a, OptimizerStateTest.Net b, double tol, String what) {
        double[][] x = {a.w.toDoubleArray(), a.b.toDoubleArray()};
        double[][] y = {b.w.toDoubleArray(), b.b.toDoubleArray()};
        for (int p = 0; p < x.length; p++) {
            for (int i = 0; i < x[p].length; i++) {
                assertEquals(y[p][i], x[p][i], tol * Math.max(1, Math.abs(y[p][i])), what + ", parameter " + p + "[" + i + "]");
            }
        }
    }

    @ParameterizedTest(name = "{0} {2}")
    @MethodSource("withDTypes")
    void fusedFollowsLibtorchsStep(String name, SGDOptions o, DType dtype) {
        double tol = dtype == DType.FLOAT64 ? 1e-12 : 1e-5;
        try (TensorScope scope = TensorScope.open(); OptimizerStateTest.Net fusedNet = net(dtype); OptimizerStateTest.Net refNet = net(dtype);
             Optimizer fused = withFused(true, () -> o.build(fusedNet.parameters()));
             Optimizer ref = withFused(false, () -> o.build(refNet.parameters()))) {
            long before = NativeOptimizer.fusedSgdSteps();
            train(fusedNet, fused, 0, STEPS);
            // every step fused but a first one with momentum, in which libtorch makes the buffers
            assertEquals(o.momentum() == 0 ? STEPS : STEPS - 1, NativeOptimizer.fusedSgdSteps() - before);
            train(refNet, ref, 0, STEPS);
            assertEquals(o.momentum() == 0 ? STEPS : STEPS - 1, NativeOptimizer.fusedSgdSteps() - before,
                    "the reference ran libtorch's step");
            assertSame(fusedNet, refNet, tol, name);
            // and the parameters moved at all: the comparison is not between two idle nets
            try (OptimizerStateTest.Net start = net(dtype)) {
                assertEquals(false, java.util.Arrays.equals(start.w.toDoubleArray(), fusedNet.w.toDoubleArray()));
            }
        }
    }

    static Stream<Arguments> withDTypes() {
        return settings().flatMap(a -> Stream.of(DType.FLOAT32, DType.FLOAT64)
                .map(d -> Arguments.of(a.get()[0], a.get()[1], d)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("settings")
    void statesMoveBetweenTheTwoUpdates(String name, SGDOptions o) {
        Function<Boolean, byte[]> halfway = on -> {
            try (TensorScope scope = TensorScope.open(); OptimizerStateTest.Net n = net(DType.FLOAT64);
                 Optimizer opt = withFused(on, () -> o.build(n.parameters()))) {
                train(n, opt, 0, STEPS / 2);
                return opt.stateBytes();
            }
        };
        for (boolean savedFused : new boolean[] {true, false}) {
            byte[] state = halfway.apply(savedFused);
            try (TensorScope scope = TensorScope.open(); OptimizerStateTest.Net a = net(DType.FLOAT64); OptimizerStateTest.Net b = net(DType.FLOAT64);
                 Optimizer fused = withFused(true, () -> o.build(a.parameters()));
                 Optimizer ref = withFused(false, () -> o.build(b.parameters()))) {
                train(a, fused, 0, STEPS / 2);
                train(b, ref, 0, STEPS / 2);
                fused.loadState(state);
                ref.loadState(state);
                train(a, fused, STEPS / 2, STEPS);
                train(b, ref, STEPS / 2, STEPS);
                assertSame(a, b, 1e-12, name + ", state saved by the " + (savedFused ? "fused" : "libtorch") + " update");
            }
        }
    }

    @Test
    void aStateWithoutBuffersStartsThemAgain() {
        SGDOptions o = SGDOptions.lr(0.05).withMomentum(0.9);
        try (TensorScope scope = TensorScope.open(); OptimizerStateTest.Net a = net(DType.FLOAT64); OptimizerStateTest.Net b = net(DType.FLOAT64);
             Optimizer fused = withFused(true, () -> o.build(a.parameters()));
             Optimizer ref = withFused(false, () -> o.build(b.parameters()))) {
            byte[] fresh = fused.stateBytes();
            for (Optimizer opt : new Optimizer[] {fused, ref}) {
                OptimizerStateTest.Net n = opt == fused ? a : b;
                train(n, opt, 0, 4);
                opt.loadState(fresh); // momentum forgotten: the next step starts the buffers anew
                opt.lr(0.05);
                train(n, opt, 4, STEPS);
            }
            assertSame(a, b, 1e-12, "after a state without momentum buffers");
        }
    }
}
