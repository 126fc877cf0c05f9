package dev.jtorch.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jtorch.NoLeaks;
import dev.jtorch.TorchException;
import dev.jtorch.tensor.Tensor;
import dev.jtorch.tensor.TensorScope;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code create_graph}, {@code retain_graph}, {@code grad_outputs}, {@code allow_unused},
 * non-scalar {@code backward(gradient)} and {@code retain_grad()}. The gradient-penalty numbers are
 * PyTorch 1.13's for the same tensors:
 * <pre>{@code
 * out = torch.tanh(x @ w.T + b)
 * gx, = torch.autograd.grad(out.sum(), x, create_graph=True)
 * pen = ((gx.norm(2, dim=1) - 1) ** 2).mean(); pen.backward()
 * }</pre>
 */
@ExtendWith(NoLeaks.class)
class HigherOrderGradTest {
    @Test
    void aGradientPenaltyTrainsThroughTheGradientAsInPyTorch() {
        try (TensorScope s = TensorScope.open()) {
            Tensor w = Tensor.of(new float[] {0.5f, -1f, 2f, 0.3f, 0.2f, -0.4f}, 2, 3).requiresGrad(true);
            Tensor b = Tensor.of(new float[] {0.1f, -0.2f}, 2).requiresGrad(true);
            Tensor x = Tensor.of(new float[] {1, 2, 3, -1, 0.5f, 2}, 2, 3).requiresGrad(true);
            Tensor out = x.matmul(w.t()).add(b).tanh();
            List<Tensor> gx = Autograd.grad(out.sum(), List.of(x), true);
            assertTrue(gx.get(0).requiresGrad(), "create_graph: the gradient is itself differentiable");
            assertArrayEquals(new float[] {0.1906239241361618f, 0.1265438348054886f, -0.2530876696109772f,
                0.09554839879274368f, 0.0529191717505455f, -0.105838343501091f}, gx.get(0).toFloatArray(), 1e-6f);
            Tensor pen = gx.get(0).norm(2, 1).sub(1).square().mean();
            assertEquals(0.5764963626861572, pen.item(), 1e-6);
            pen.backward();
            assertArrayEquals(new float[] {0.014172537252306938f, -0.013894127681851387f, -0.03648033365607262f,
                -0.4370158910751343f, -0.9051497578620911f, -0.7890433073043823f}, w.grad().toFloatArray(), 1e-6f);
            assertArrayEquals(new float[] {-0.020304888486862183f, -0.5035114884376526f}, b.grad().toFloatArray(), 1e-6f);
            assertArrayEquals(new float[] {-0.08207986503839493f, -0.053601935505867004f, 0.10720387101173401f,
                -0.0791260376572609f, -0.026795480400323868f, 0.053590960800647736f}, x.grad().toFloatArray(), 1e-6f);
        }
    }

    @Test
    void secondAndThirdDerivativesOfACube() {
        try (TensorScope s = TensorScope.open()) {
            Tensor x = Tensor.of(new double[] {1, 2, 3}, 3).requiresGrad(true);
            Tensor y = x.pow(3).sum();
            Tensor d1 = Autograd.grad(y, List.of(x), true).get(0); // 3x^2
            Tensor d2 = Autograd.grad(d1.sum(), List.of(x), true).get(0); // 6x
            Tensor d3 = Autograd.grad(d2.sum(), List.of(x)).get(0); // 6
            assertArrayEquals(new double[] {3, 12, 27}, d1.toDoubleArray(), 0);
            assertArrayEquals(new double[] {6, 12, 18}, d2.toDoubleArray(), 0);
            assertArrayEquals(new double[] {6, 6, 6}, d3.toDoubleArray(), 0);
            assertFalse(d3.requiresGrad(), "without create_graph the result carries no graph");
            assertNull(x.grad(), "autograd.grad never accumulates");
        }
    }

    @Test
    void backwardOfANonScalarTakesItsWeights() {
        try (TensorScope s = TensorScope.open()) {
            Tensor x = Tensor.of(new float[] {1, 2, 3}, 3).requiresGrad(true);
            x.mul(2).backward(Tensor.of(new float[] {1, 0.1f, 0.01f}, 3));
            assertArrayEquals(new float[] {2, 0.2f, 0.02f}, x.grad().toFloatArray(), 1e-7f);
            TorchException e = assertThrows(TorchException.class, () -> x.mul(2).backward());
            assertTrue(e.getMessage().contains("scalar"), e.getMessage());
            assertThrows(TorchException.class, () -> x.mul(2).backward(Tensor.ones(4)), "weights of another shape");
        }
    }

    @Test
    void retainGraphAllowsASecondBackwardAndItsAbsenceIsAClearError() {
        try (TensorScope s = TensorScope.open()) {
            Tensor x = Tensor.of(new float[] {1, -2}, 2).requiresGrad(true);
            Tensor y = x.mul(x).sum();
            y.backward(null, true, false);
            y.backward(null, false, false);
            assertArrayEquals(new float[] {4, -8}, x.grad().toFloatArray(), "two backwards accumulate 2 * 2x");
            TorchException e = assertThrows(TorchException.class, () -> y.backward());
            assertTrue(e.getMessage().contains("second time"), e.getMessage());
        }
    }

    @Test
    void createGraphInBackwardGivesDifferentiableGradients() {
        try (TensorScope s = TensorScope.open()) {
            Tensor x = Tensor.of(new double[] {0.5, 2}, 2).requiresGrad(true);
            x.pow(3).sum().backward(null, false, true);
            Tensor g = x.grad(); // 3x^2, with a graph
            assertTrue(g.requiresGrad());
            Tensor h = Autograd.grad(g.sum(), List.of(x)).get(0);
            assertArrayEquals(new double[] {3, 12}, h.toDoubleArray(), 1e-12);
            x.setGrad(null); // drops the cycle x -> grad -> graph -> x, as x.grad = None does
            assertNull(x.grad());
            x.setGrad(Tensor.of(new double[] {7, 8}, 2));
            assertArrayEquals(new double[] {7, 8}, x.grad().toDoubleArray(), 0);
            IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> x.setGrad(Tensor.ones(3)));
            assertTrue(bad.getMessage().contains("[3]"), bad.getMessage());
            assertThrows(IllegalArgumentException.class, () -> x.setGrad(Tensor.ones(2)), "float32 for a float64 tensor");
            x.setGrad(null);
        }
    }

    @Test
    void retainGradKeepsANonLeafsGradient() {
        try (TensorScope s = TensorScope.open()) {
            Tensor x = Tensor.of(new float[] {1, 2}, 2).requiresGrad(true);
            Tensor z = x.mul(3);
            assertFalse(z.retainsGrad());
            assertTrue(z == z.retainGrad());
            assertTrue(z.retainsGrad());
            z.mul(z).sum().backward();
            assertArrayEquals(new float[] {6, 12}, z.grad().toFloatArray(), "dz = 2z");
            assertArrayEquals(new float[] {18, 36}, x.grad().toFloatArray());
            assertThrows(TorchException.class, () -> Tensor.ones(2).retainGrad(), "nothing to retain");
        }
    }

    @Test
    void severalOutputsWithWeightsAndUnusedInputs() {
        try (TensorScope s = TensorScope.open()) {
            Tensor x = Tensor.of(new float[] {1, 2}, 2).requiresGrad(true);
            Tensor unused = Tensor.ones(2).requiresGrad(true);
            Tensor y1 = x.mul(2); // vector output: needs a weight
            Tensor y2 = x.mul(x).sum(); // scalar: a null weight
            List<Tensor> g = Autograd.grad(List.of(y1, y2), List.of(x, unused), GradOptions.defaults()
                    .withGradOutputs(Arrays.asList(Tensor.of(new float[] {1, 10}, 2), null)).withAllowUnused(true));
            assertArrayEquals(new float[] {2 + 2, 20 + 4}, g.get(0).toFloatArray(), "2w + 2x");
            assertNull(g.get(1), "allow_unused: None for an input the outputs do not use");

            TorchException e = assertThrows(TorchException.class,
                    () -> Autograd.grad(x.mul(x).sum(), List.of(x, unused)));
            assertTrue(e.getMessage().contains("allow_unused"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> Autograd.grad(List.of(y1, y2), List.of(x),
                    GradOptions.defaults().withGradOutputs(List.of(Tensor.ones(2)))));
            assertThrows(TorchException.class, () -> Autograd.grad(List.of(x.mul(2)), List.of(x), GradOptions.defaults()),
                    "a vector output without a weight");
        }
    }
}
