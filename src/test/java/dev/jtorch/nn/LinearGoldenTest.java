package dev.jtorch.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jtorch.DType;
import dev.jtorch.Fixtures;
import dev.jtorch.Torch;
import dev.jtorch.TorchException;
import dev.jtorch.nn.functional.F;
import dev.jtorch.tensor.Tensor;
import dev.jtorch.tensor.TensorScope;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.extension.ExtendWith;
import dev.jtorch.NoLeaks;

/** {@link Linear} against PyTorch's {@code F.linear} outputs and gradients in {@code linear.json}. */
@ExtendWith(NoLeaks.class)
class LinearGoldenTest {
    private static final JsonNode CASES = Fixtures.load("linear.json");

    static Stream<Arguments> cases() {
        return Fixtures.list(CASES).stream().map(c -> Arguments.of(Named.of(c.get("name").asText(), c)));
    }

    private static double tol(JsonNode c) {
        return Fixtures.dtype(c.get("input")) == DType.FLOAT64 ? 1e-12 : 1e-5;
    }

    /** A Linear of the fixture's sizes and dtype with the fixture's weight and bias loaded. */
    private static Linear layerFor(JsonNode c) {
        long[] ws = Fixtures.shape(c.get("weight"));
        Linear layer = new Linear(ws[1], ws[0]);
        try {
            if (Fixtures.dtype(c.get("weight")) == DType.FLOAT64) {
                layer.to(DType.FLOAT64);
            }
            LoadResult r = layer.loadStateDict(Map.of(
                    "weight", Fixtures.tensor(c.get("weight")),
                    "bias", Fixtures.tensor(c.get("bias"))));
            assertTrue(r.missingKeys().isEmpty() && r.unexpectedKeys().isEmpty(), r.toString());
            return layer;
        } catch (RuntimeException | Error e) {
            layer.close();
            throw e;
        }
    }

    @ParameterizedTest(name = "forward {0}")
    @MethodSource("cases")
    void outputMatchesPyTorch(JsonNode c) {
        try (TensorScope s = TensorScope.open(); Linear layer = layerFor(c)) {
            assertEquals(Fixtures.dtype(c.get("weight")), layer.weight().dtype());
            Fixtures.assertClose(c.get("weight"), layer.weight(), 0, 0);
            Fixtures.assertClose(c.get("bias"), layer.bias(), 0, 0);
            Tensor y = layer.forward(Fixtures.tensor(c.get("input")));
            Fixtures.assertClose(c.get("output"), y, tol(c), tol(c));
        }
    }

    @ParameterizedTest(name = "grads {0}")
    @MethodSource("cases")
    void gradientsMatchPyTorch(JsonNode c) {
        try (TensorScope s = TensorScope.open(); Linear layer = layerFor(c)) {
            Tensor x = Fixtures.tensor(c.get("input")).requiresGrad(true);
            layer.forward(x).sum().backward();
            Tensor gx = x.grad();
            Tensor gw = layer.weight().grad();
            Tensor gb = layer.bias().grad();
            assertNotNull(gx, "input grad");
            assertNotNull(gw, "weight grad");
            assertNotNull(gb, "bias grad");
            Fixtures.assertClose(c.get("grad_input"), gx, tol(c), tol(c));
            Fixtures.assertClose(c.get("grad_weight"), gw, tol(c), tol(c));
            Fixtures.assertClose(c.get("grad_bias"), gb, tol(c), tol(c));
        }
    }

    @ParameterizedTest(name = "F.linear {0}")
    @MethodSource("cases")
    void functionalLinearMatchesPyTorch(JsonNode c) {
        try (TensorScope s = TensorScope.open()) {
            Tensor y = F.linear(Fixtures.tensor(c.get("input")), Fixtures.tensor(c.get("weight")),
                    Fixtures.tensor(c.get("bias")));
            Fixtures.assertClose(c.get("output"), y, tol(c), tol(c));
        }
    }

    @ParameterizedTest(name = "x[{0},{1}] -> {2}, bias={3}")
    @CsvSource({"1,1,1,true", "4,7,3,true", "5,16,9,false", "32,10,2,true"})
    void matchesFormulaOnRandomData(int n, int in, int out, boolean withBias) {
        Random rnd = new Random(31L * n + in + 7L * out);
        double[] x = new double[n * in];
        double[] w = new double[out * in];
        double[] b = new double[out];
        for (int i = 0; i < x.length; i++) {
            x[i] = rnd.nextGaussian();
        }
        for (int i = 0; i < w.length; i++) {
            w[i] = rnd.nextGaussian();
        }
        for (int i = 0; i < b.length; i++) {
            b[i] = rnd.nextGaussian();
        }
        double[] expected = new double[n * out];
        for (int r = 0; r < n; r++) {
            for (int o = 0; o < out; o++) {
                double acc = withBias ? b[o] : 0;
                for (int k = 0; k < in; k++) {
                    acc += x[r * in + k] * w[o * in + k];
                }
                expected[r * out + o] = acc;
            }
        }
        try (TensorScope s = TensorScope.open(); Linear layer = new Linear(in, out, withBias)) {
            layer.to(DType.FLOAT64);
            if (withBias) {
                layer.loadStateDict(Map.of("weight", Tensor.of(w, out, in), "bias", Tensor.of(b, out)));
            } else {
                assertEquals(null, layer.bias());
                layer.loadStateDict(Map.of("weight", Tensor.of(w, out, in)));
            }
            Tensor y = layer.forward(Tensor.of(x, n, in));
            assertArrayEquals(new long[] {n, out}, y.shape().toArray());
            Fixtures.assertClose(expected, y, 1e-12, 1e-12);

            // float32 layer on float32 data agrees to float precision
            layer.to(DType.FLOAT32);
            Tensor y32 = layer.forward(Tensor.of(x, n, in).to(DType.FLOAT32));
            assertEquals(DType.FLOAT32, y32.dtype());
            Fixtures.assertClose(expected, y32, 1e-4, 1e-4);
        }
    }

    @ParameterizedTest(name = "Linear({0}, {1})")
    @CsvSource({"1,1", "784,128", "10,300"})
    void defaultInitIsWithinOneOverSqrtIn(int in, int out) {
        Torch.manualSeed(1234);
        double bound = 1 / Math.sqrt(in);
        try (Linear layer = new Linear(in, out)) {
            assertArrayEquals(new long[] {out, in}, layer.weight().shape().toArray());
            assertArrayEquals(new long[] {out}, layer.bias().shape().toArray());
            assertEquals(DType.FLOAT32, layer.weight().dtype());
            assertTrue(layer.weight().requiresGrad());
            assertTrue(layer.bias().requiresGrad());
            double[] w = layer.weight().toDoubleArray();
            double[] b = layer.bias().toDoubleArray();
            double maxW = 0;
            for (double v : w) {
                assertTrue(Math.abs(v) <= bound, "weight " + v + " exceeds " + bound);
                maxW = Math.max(maxW, Math.abs(v));
            }
            for (double v : b) {
                assertTrue(Math.abs(v) <= bound, "bias " + v + " exceeds " + bound);
            }
            if (w.length >= 100) {
                // uniform over [-k, k]: with many draws the extremes come close to k, and the mean to 0
                assertTrue(maxW > 0.9 * bound, "weights suspiciously small: max " + maxW);
                double mean = 0;
                for (double v : w) {
                    mean += v;
                }
                mean /= w.length;
                assertTrue(Math.abs(mean) < 0.1 * bound, "mean " + mean);
            }
        }
    }

    @Test
    void seededInitIsReproducible() {
        Torch.manualSeed(99);
        try (Linear a = new Linear(8, 3)) {
            Torch.manualSeed(99);
            try (Linear b = new Linear(8, 3)) {
                assertArrayEquals(a.weight().toDoubleArray(), b.weight().toDoubleArray());
                assertArrayEquals(a.bias().toDoubleArray(), b.bias().toDoubleArray());
            }
        }
    }

    @Test
    void wrongInputShapeNamesBothShapes() {
        try (TensorScope s = TensorScope.open(); Linear layer = new Linear(784, 10)) {
            Tensor x = Tensor.randn(2, 5);
            TorchException e = assertThrows(TorchException.class, () -> layer.forward(x));
            String m = e.getMessage();
            assertTrue(m.contains("[2, 5]"), m);
            assertTrue(m.contains("784"), m);
            // still usable with the right input
            assertArrayEquals(new long[] {2, 10}, layer.forward(Tensor.randn(2, 784)).shape().toArray());
        }
    }

    @Test
    void scalarInputIsRejected() {
        try (TensorScope s = TensorScope.open(); Linear layer = new Linear(3, 2)) {
            TorchException e = assertThrows(TorchException.class, () -> layer.forward(Tensor.scalar(1)));
            assertTrue(e.getMessage().contains("3"), e.getMessage());
        }
    }

    @Test
    void stateDictShapeMismatchIsRejectedAndLeavesWeightsAlone() {
        try (TensorScope s = TensorScope.open(); Linear layer = new Linear(4, 2)) {
            double[] before = layer.weight().toDoubleArray();
            StateDictException e = assertThrows(StateDictException.class, () -> layer.loadStateDict(Map.of(
                    "weight", Tensor.zeros(4, 2), "bias", Tensor.zeros(2))));
            assertTrue(e.getMessage().contains("weight"), e.getMessage());
            assertArrayEquals(before, layer.weight().toDoubleArray());
        }
    }

    @Test
    void closedLayerCannotBeUsed() {
        Linear layer = new Linear(3, 2);
        layer.close();
        layer.close(); // idempotent
        try (TensorScope s = TensorScope.open()) {
            Tensor x = Tensor.randn(1, 3);
            assertThrows(IllegalStateException.class, () -> layer.forward(x));
        }
    }

    @org.junit.jupiter.api.Test
    void aSingleRowTakesTheMatrixVectorPathWithTheSameValuesAndGradients() {
        try (dev.jtorch.tensor.TensorScope s = dev.jtorch.tensor.TensorScope.open();
             Linear layer = new Linear(784, 128)) {
            layer.to(dev.jtorch.DType.FLOAT64);
            Tensor batch = Tensor.randn(dev.jtorch.tensor.Shape.of(3, 784), dev.jtorch.DType.FLOAT64, dev.jtorch.Device.CPU);
            double[] all = layer.forward(batch).toDoubleArray();
            for (int r = 0; r < 3; r++) {
                Tensor row = batch.narrow(0, r, 1).contiguous().requiresGrad(true);
                Tensor y = layer.forward(row);
                assertEquals(dev.jtorch.tensor.Shape.of(1, 128), y.shape());
                double[] one = y.toDoubleArray();
                for (int j = 0; j < 128; j++) {
                    assertEquals(all[r * 128 + j], one[j], 1e-12, "row " + r + " output " + j);
                }
                y.sum().backward();
                // d(sum(W x + b))/dx = column sums of W
                double[] colSums = layer.weight().sum(0, false).toDoubleArray();
                double[] g = row.grad().toDoubleArray();
                for (int j = 0; j < 784; j++) {
                    assertEquals(colSums[j], g[j], 1e-12);
                }
            }
        }
    }
}
