package dev.jtorch.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.jtorch.DType;
import dev.jtorch.Device;
import dev.jtorch.NoLeaks;
import dev.jtorch.Torch;
import dev.jtorch.nn.functional.F;
import dev.jtorch.tensor.Shape;
import dev.jtorch.tensor.Tensor;
import dev.jtorch.tensor.TensorScope;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The CNNs compute {@code relu(maxpool(c))} where PyTorch's tutorial writes
 * {@code maxpool(relu(c))}; the two must agree exactly, values and gradients, with ties, all-negative
 * windows, zeros and NaN, on both pooling kernels (channels-last from 16 channels, NCHW below).
 */
@ExtendWith(NoLeaks.class)
class ReluPoolOrderTest {
    @Test
    void poolThenReluEqualsReluThenPoolExactly() {
        Torch.manualSeed(5);
        for (long channels : new long[] {4, 32}) {
            for (DType dt : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
                try (TensorScope s = TensorScope.open()) {
                    Shape shape = Shape.of(3, channels, 10, 12);
                    // integers in [-3, 2]: many ties, whole windows <= 0, exact zeros
                    float[] raw = Tensor.rand(shape, dt, Device.CPU).mul(6).sub(3).to(DType.INT64).to(DType.FLOAT32).toFloatArray();
                    raw[7] = Float.NaN;
                    raw[raw.length / 2] = Float.NaN;
                    Tensor a = Tensor.of(raw, shape, dt, Device.CPU).requiresGrad(true);
                    Tensor b = Tensor.of(raw, shape, dt, Device.CPU).requiresGrad(true);
                    Tensor poolFirst = F.relu(F.maxPool2d(a, 2));
                    Tensor reluFirst = F.maxPool2d(F.relu(b), 2);
                    assertArrayEquals(reluFirst.toDoubleArray(), poolFirst.toDoubleArray(), 0.0, channels + " " + dt);
                    Tensor g = Tensor.randn(poolFirst.shape(), dt, Device.CPU);
                    poolFirst.mul(g).sum().backward();
                    reluFirst.mul(g).sum().backward();
                    assertArrayEquals(b.grad().toDoubleArray(), a.grad().toDoubleArray(), 0.0, channels + " " + dt);
                }
            }
        }
    }
}
