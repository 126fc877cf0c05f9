package dev.jtorch.nn.functional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jtorch.DType;
import dev.jtorch.Device;
import dev.jtorch.Fixtures;
import dev.jtorch.Torch;
import dev.jtorch.TorchException;
import dev.jtorch.tensor.Shape;
import dev.jtorch.tensor.Tensor;
import dev.jtorch.tensor.TensorScope;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.extension.ExtendWith;
import dev.jtorch.NoLeaks;

/** {@link F#crossEntropy} against PyTorch's losses and gradients in {@code cross_entropy.json}. */
@ExtendWith(NoLeaks.class)
class CrossEntropyGoldenTest {
    private static final JsonNode CASES = Fixtures.load("cross_entropy.json");

    static Stream<Arguments> cases() {
        return Fixtures.list(CASES).stream().map(c -> Arguments.of(Named.of(c.get("name").asText(), c)));
    }

    private static Reduction reduction(JsonNode c) {
        switch (c.get("reduction").asText()) {
            case "mean":
                return Reduction.MEAN;
            case "sum":
                return Reduction.SUM;
            case "none":
                return Reduction.NONE;
            default:
                throw new IllegalArgumentException(c.get("reduction").asText());
        }
    }

    private static boolean f64(JsonNode c) {
        return Fixtures.dtype(c.get("logits")) == DType.FLOAT64;
    }

    @ParameterizedTest(name = "loss {0}")
    @MethodSource("cases")
    void lossMatchesPyTorch(JsonNode c) {
        try (TensorScope s = TensorScope.open()) {
            Tensor logits = Fixtures.tensor(c.get("logits"));
            Tensor target = Fixtures.tensor(c.get("target"));
            Tensor loss = F.crossEntropy(logits, target, reduction(c));
            double tol = f64(c) ? 1e-12 : 1e-6;
            Fixtures.assertClose(c.get("loss"), loss, tol, tol);
            Fixtures.assertAllFinite(loss, "loss");
        }
    }

    @ParameterizedTest(name = "grad {0}")
    @MethodSource("cases")
    void gradientMatchesPyTorch(JsonNode c) {
        try (TensorScope s = TensorScope.open()) {
            Tensor logits = Fixtures.tensor(c.get("logits")).requiresGrad(true);
            Tensor target = Fixtures.tensor(c.get("target"));
            assertTrue(logits.isLeaf());
            assertEquals(null, logits.grad(), "no gradient before backward");
            Tensor loss = F.crossEntropy(logits, target, reduction(c));
            assertTrue(loss.requiresGrad());
            loss.sum().backward();
            Tensor grad = logits.grad();
            assertNotNull(grad, "gradient after backward");
            double tol = f64(c) ? 1e-12 : 1e-6;
            Fixtures.assertClose(c.get("grad"), grad, tol, tol);
            Fixtures.assertAllFinite(grad, "grad");
        }
    }

    @Test
    void defaultReductionIsMean() {
        try (TensorScope s = TensorScope.open()) {
            JsonNode c = Fixtures.list(CASES).get(0);
            Tensor logits = Fixtures.tensor(c.get("logits"));
            Tensor target = Fixtures.tensor(c.get("target"));
            assertEquals(F.crossEntropy(logits, target, Reduction.MEAN).item(), F.crossEntropy(logits, target).item(), 0.0);
            assertEquals(0, F.crossEntropy(logits, target).dim());
            assertArrayEquals(new long[] {6}, F.crossEntropy(logits, target, Reduction.NONE).shape().toArray());
        }
    }

    /** log-softmax of each row in plain Java (log-sum-exp with the max subtracted). */
    private static double[] logSoftmaxRows(double[] x, int n, int c) {
        double[] out = new double[x.length];
        for (int i = 0; i < n; i++) {
            double m = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < c; j++) {
                m = Math.max(m, x[i * c + j]);
            }
            double sum = 0;
            for (int j = 0; j < c; j++) {
                sum += Math.exp(x[i * c + j] - m);
            }
            double lse = m + Math.log(sum);
            for (int j = 0; j < c; j++) {
                out[i * c + j] = x[i * c + j] - lse;
            }
        }
        return out;
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3})
    void equalsMinusMeanOfLogSoftmaxAtTargets(long seed) {
        Random rnd = new Random(seed);
        int n = 7;
        int c = 5;
        double[] x = new double[n * c];
        for (int i = 0; i < x.length; i++) {
            x[i] = rnd.nextGaussian() * 3;
        }
        long[] t = new long[n];
        for (int i = 0; i < n; i++) {
            t[i] = rnd.nextInt(c);
        }
        double[] lsm = logSoftmaxRows(x, n, c);
        double sum = 0;
        double[] perSample = new double[n];
        for (int i = 0; i < n; i++) {
            perSample[i] = -lsm[i * c + (int) t[i]];
            sum += perSample[i];
        }
        try (TensorScope s = TensorScope.open()) {
            Tensor logits = Tensor.of(x, n, c);
            Tensor target = Tensor.of(t, n);
            assertEquals(sum / n, F.crossEntropy(logits, target).item(), 1e-12);
            assertEquals(sum, F.crossEntropy(logits, target, Reduction.SUM).item(), 1e-11);
            Fixtures.assertClose(perSample, F.crossEntropy(logits, target, Reduction.NONE), 1e-12, 1e-12);

            // the same, gathering jtorch's own logSoftmax by hand
            double[] jl = F.logSoftmax(logits, 1).toDoubleArray();
            double acc = 0;
            for (int i = 0; i < n; i++) {
                acc -= jl[i * c + (int) t[i]];
            }
            assertEquals(acc / n, F.crossEntropy(logits, target).item(), 1e-12);

            // and in float32
            Tensor logits32 = logits.to(DType.FLOAT32);
            assertEquals(DType.FLOAT32, F.crossEntropy(logits32, target).dtype());
            assertEquals(sum / n, F.crossEntropy(logits32, target).item(), 1e-5);
        }
    }

    @Test
    void oneHotProbabilityTargetEqualsIndexTarget() {
        try (TensorScope s = TensorScope.open()) {
            JsonNode c = Fixtures.list(CASES).get(0);
            Tensor logits = Fixtures.tensor(c.get("logits"));
            long[] t = Fixtures.longValues(c.get("target"));
            float[] oneHot = new float[(int) logits.numel()];
            int classes = (int) logits.size(1);
            for (int i = 0; i < t.length; i++) {
                oneHot[i * classes + (int) t[i]] = 1f;
            }
            Tensor probs = Tensor.of(oneHot, logits.shape().toArray());
            assertEquals(F.crossEntropy(logits, Fixtures.tensor(c.get("target"))).item(),
                    F.crossEntropy(logits, probs).item(), 1e-6);
        }
    }

    private static void assertCleanMessage(TorchException e) {
        String m = e.getMessage();
        assertNotNull(m);
        assertFalse(m.contains("Exception raised from"), () -> "backtrace in message: " + m);
        assertFalse(m.contains("frame #"), () -> "C++ frames in message: " + m);
        assertFalse(m.contains("\n"), () -> "multi-line message: " + m);
    }

    private static void assertLibraryStillWorks() {
        try (TensorScope s = TensorScope.open()) {
            Tensor logits = Tensor.of(new double[] {0, 0, 0, 0}, 2, 2);
            Tensor target = Tensor.of(new long[] {0, 1}, 2);
            assertEquals(Math.log(2), F.crossEntropy(logits, target).item(), 1e-15);
        }
    }

    @ParameterizedTest(name = "target {0}")
    @ValueSource(longs = {4, 17, -1})
    void outOfRangeTargetIsACleanTorchException(long bad) {
        try (TensorScope s = TensorScope.open()) {
            Tensor logits = Tensor.randn(3, 4);
            Tensor target = Tensor.of(new long[] {0, bad, 1}, 3);
            TorchException e = assertThrows(TorchException.class, () -> F.crossEntropy(logits, target));
            assertCleanMessage(e);
            assertTrue(e.getMessage().contains("crossEntropy"), e.getMessage());
            assertTrue(e.getMessage().contains(Long.toString(bad)), e.getMessage());
            // the full native text is kept for bug reports
            assertNotNull(e.detail());
        }
        assertLibraryStillWorks();
        // and the same op works again with a valid target
        try (TensorScope s = TensorScope.open()) {
            Tensor loss = F.crossEntropy(Tensor.randn(3, 4), Tensor.of(new long[] {0, 3, 1}, 3));
            assertTrue(Double.isFinite(loss.item()));
        }
    }

    @Test
    void batchSizeMismatchNamesBothShapes() {
        try (TensorScope s = TensorScope.open()) {
            Tensor logits = Tensor.zeros(Shape.of(3, 4), DType.FLOAT32, Device.CPU);
            Tensor target = Tensor.of(new long[] {0, 1, 2, 3, 0}, 5);
            TorchException e = assertThrows(TorchException.class, () -> F.crossEntropy(logits, target));
            assertCleanMessage(e);
            assertTrue(e.getMessage().contains("[3, 4]"), e.getMessage());
            assertTrue(e.getMessage().contains("[5]"), e.getMessage());
        }
        assertLibraryStillWorks();
    }

    @Test
    void failedCallLeavesNoHandleBehind() {
        long before = Torch.liveHandles();
        try (TensorScope s = TensorScope.open()) {
            Tensor logits = Tensor.randn(2, 3);
            Tensor target = Tensor.of(new long[] {0, 9}, 2);
            long inside = Torch.liveHandles();
            assertThrows(TorchException.class, () -> F.crossEntropy(logits, target));
            assertEquals(inside, Torch.liveHandles(), "a failed op must not create a handle");
        }
        assertEquals(before, Torch.liveHandles());
    }
}
