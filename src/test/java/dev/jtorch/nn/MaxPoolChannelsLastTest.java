package dev.jtorch.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jtorch.DType;
import dev.jtorch.Device;
import dev.jtorch.NoLeaks;
import dev.jtorch.Torch;
import dev.jtorch.nn.functional.F;
import dev.jtorch.tensor.Shape;
import dev.jtorch.tensor.Tensor;
import dev.jtorch.tensor.TensorScope;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * CPU max pooling with 16+ channels runs in channels-last layout; it must pick exactly the
 * elements libtorch's NCHW kernel picks (first maximum on ties, NaN wins), forward and backward.
 * The reference pools 8 channels at a time, which stays on the NCHW kernel.
 */
@ExtendWith(NoLeaks.class)
class MaxPoolChannelsLastTest {
    private static final long[][] CASES = {
        // kernel, stride, padding, dilation, ceil (0/1)
        {2, 2, 0, 1, 0}, {3, 2, 1, 1, 0}, {2, 1, 0, 1, 0}, {3, 3, 0, 1, 1}, {2, 2, 1, 2, 0},
    };

    @Test
    void sameValuesAndGradientsAsTheNchwKernel() {
        Torch.manualSeed(7);
        for (DType dt : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            for (long[] c : CASES) {
                try (TensorScope s = TensorScope.open()) {
                    // few distinct values: many ties; plus a NaN and -inf in some windows
                    Tensor data = Tensor.rand(Shape.of(3, 32, 11, 9), dt, Device.CPU).mul(4).to(DType.INT64).to(dt);
                    float[] raw = data.toFloatArray();
                    raw[5] = Float.NaN;
                    raw[400] = Float.NEGATIVE_INFINITY;
                    Tensor x = Tensor.of(raw, Shape.of(3, 32, 11, 9), dt, Device.CPU).requiresGrad(true);
                    Tensor ref = Tensor.of(raw, Shape.of(3, 32, 11, 9), dt, Device.CPU).requiresGrad(true);
                    long[] k = {c[0], c[0]};
                    long[] st = {c[1], c[1]};
                    long[] pad = {c[2], c[2]};
                    long[] dil = {c[3], c[3]};
                    boolean ceil = c[4] == 1;
                    Tensor fast = F.maxPool2d(x, k, st, pad, dil, ceil);
                    List<Tensor> parts = new ArrayList<>();
                    for (int ch = 0; ch < 32; ch += 8) {
                        parts.add(F.maxPool2d(ref.narrow(1, ch, 8), k, st, pad, dil, ceil));
                    }
                    Tensor slow = Tensor.cat(parts, 1);
                    assertEquals(slow.shape(), fast.shape());
                    assertArrayEquals(slow.toDoubleArray(), fast.toDoubleArray(), 0.0, "values, case " + java.util.Arrays.toString(c));
                    Tensor w = Tensor.rand(slow.shape(), dt, Device.CPU);
                    fast.mul(w).sum().backward();
                    slow.mul(w).sum().backward();
                    assertArrayEquals(ref.grad().toDoubleArray(), x.grad().toDoubleArray(), 0.0,
                            "gradients, case " + java.util.Arrays.toString(c));
                }
            }
        }
    }
}
