package dev.jtorch.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.jtorch.DType;
import dev.jtorch.Device;
import dev.jtorch.NoLeaks;
import dev.jtorch.Torch;
import dev.jtorch.TorchException;
import dev.jtorch.nn.functional.F;
import dev.jtorch.tensor.Shape;
import dev.jtorch.tensor.Tensor;
import dev.jtorch.tensor.TensorScope;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A CPU convolution over an input that needs no gradient, with few input taps and 16+ output
 * channels, is computed as one channels-last matrix product (the "stem" path). It must give
 * at::conv2d's output and weight/bias gradients. The reference is the same convolution on an input
 * that requires a gradient, which stays on libtorch's kernel.
 */
@ExtendWith(NoLeaks.class)
class StemConvTest {
    // N, C, H, W, C_out, kh, kw, stride h/w, padding h/w, dilation h/w, bias (0/1)
    private static final long[][] CASES = {
        {4, 1, 28, 28, 32, 3, 3, 1, 1, 0, 0, 1, 1, 1},   // the MNIST CNN's conv1
        {2, 3, 32, 32, 32, 3, 3, 1, 1, 1, 1, 1, 1, 1},   // a CIFAR stem, padded
        {3, 2, 9, 11, 16, 2, 3, 2, 1, 1, 0, 1, 2, 0},    // rectangular kernel, strides, dilation, no bias
        {1, 4, 7, 7, 20, 2, 2, 3, 3, 2, 2, 2, 1, 1},     // stride 3, padding 2, C*kh*kw = 16
        {2, 1, 5, 5, 16, 5, 5, 1, 1, 0, 0, 1, 1, 1},     // kernel as large as the input: 1x1 output
    };

    @Test
    void sameOutputAndGradientsAsLibtorchsKernel() {
        Torch.manualSeed(11);
        for (DType dt : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            double tol = dt == DType.FLOAT32 ? 2e-5 : 1e-12;
            for (long[] c : CASES) {
                String what = dt + " case " + Arrays.toString(c);
                try (TensorScope s = TensorScope.open()) {
                    Tensor data = Tensor.randn(Shape.of(c[0], c[1], c[2], c[3]), dt, Device.CPU);
                    Tensor w1 = Tensor.randn(Shape.of(c[4], c[1], c[5], c[6]), dt, Device.CPU).requiresGrad(true);
                    Tensor w2 = w1.detach().requiresGrad(true);
                    Tensor b1 = c[13] == 1 ? Tensor.randn(Shape.of(c[4]), dt, Device.CPU).requiresGrad(true) : null;
                    Tensor b2 = b1 == null ? null : b1.detach().requiresGrad(true);
                    long[] st = {c[7], c[8]};
                    long[] pad = {c[9], c[10]};
                    long[] dil = {c[11], c[12]};
                    Tensor fast = F.conv2d(data, w1, b1, st, pad, dil, 1);
                    Tensor ref = F.conv2d(data.detach().requiresGrad(true), w2, b2, st, pad, dil, 1);
                    assertEquals(ref.shape(), fast.shape(), what);
                    assertArrayEquals(ref.toDoubleArray(), fast.toDoubleArray(), tol * 10, "output, " + what);
                    Tensor g = Tensor.randn(ref.shape(), dt, Device.CPU);
                    fast.mul(g).sum().backward();
                    ref.mul(g).sum().backward();
                    assertArrayEquals(w2.grad().toDoubleArray(), w1.grad().toDoubleArray(), tol * 100, "weight grad, " + what);
                    if (b1 != null) {
                        assertArrayEquals(b2.grad().toDoubleArray(), b1.grad().toDoubleArray(), tol * 100, "bias grad, " + what);
                    }
                    // the result behaves as an ordinary [N, C, H, W] tensor downstream
                    assertArrayEquals(ref.flatten(1, 3).toDoubleArray(), fast.flatten(1, 3).toDoubleArray(), tol * 10, what);
                }
            }
        }
    }

    @Test
    void aMismatchedWeightStillGetsLibtorchsError() {
        try (TensorScope s = TensorScope.open()) {
            Tensor x = Tensor.randn(2, 1, 28, 28);
            Tensor w = Tensor.randn(32, 2, 3, 3);
            TorchException e = assertThrows(TorchException.class, () -> F.conv2d(x, w, null));
            assertEquals(true, e.getMessage().contains("conv2d"), e.getMessage());
        }
    }

    @Test
    void theMnistCnnTrainsTheSameThroughEitherPath() {
        // one SGD step of MnistCnn from the same weights, input with and without requires_grad
        double[][] after = new double[2][];
        for (int path = 0; path < 2; path++) {
            Torch.manualSeed(3);
            try (TensorScope s = TensorScope.open(); dev.jtorch.models.MnistCnn m = new dev.jtorch.models.MnistCnn();
                 dev.jtorch.optim.SGD opt = new dev.jtorch.optim.SGD(m.parameters(), 0.1)) {
                Tensor x = Tensor.rand(8, 1, 28, 28);
                if (path == 1) {
                    x = x.requiresGrad(true);
                }
                Tensor y = Tensor.of(new long[] {0, 1, 2, 3, 4, 5, 6, 7}, 8);
                F.crossEntropy(m.forward(x), y).backward();
                opt.step();
                after[path] = m.stateDict().get("conv1.weight").toDoubleArray();
            }
        }
        assertArrayEquals(after[1], after[0], 1e-5);
    }
}
