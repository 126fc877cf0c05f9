package dev.jtorch.data;

import dev.jtorch.DType;
import dev.jtorch.Device;
import dev.jtorch.tensor.Shape;
import dev.jtorch.tensor.Tensor;

/**
 * A batch assembled as Java arrays, safe to hand between threads (native tensors belong to
 * thread-confined scopes): float32 inputs, and int64 ({@code long[]}) or float32 ({@code float[]})
 * targets.
 *
 * @param inputs the inputs, row-major {@code inputShape}
 * @param inputShape {@code [n, sample...]}
 * @param targets a {@code long[]} or {@code float[]}, row-major {@code targetShape}
 * @param targetShape {@code [n, target...]}
 */
record HostBatch(float[] inputs, long[] inputShape, Object targets, long[] targetShape) {
    /**
     * The batch as tensors on {@code device}, owned by the current {@link dev.jtorch.tensor.TensorScope}.
     *
     * @throws IllegalStateException if no scope is open
     */
    Batch toBatch(Device device) {
        Tensor x = Tensor.of(inputs, Shape.of(inputShape), DType.FLOAT32, device);
        try {
            Tensor y = targets instanceof long[] l ? Tensor.of(l, Shape.of(targetShape), DType.INT64, device)
                    : Tensor.of((float[]) targets, Shape.of(targetShape), DType.FLOAT32, device);
            return new Batch(x, y, (int) inputShape[0]);
        } catch (RuntimeException | Error e) {
            x.close();
            throw e;
        }
    }

    /** {@code [n, rest...]}. */
    static long[] prepend(long n, long... rest) {
        long[] s = new long[rest.length + 1];
        s[0] = n;
        System.arraycopy(rest, 0, s, 1, rest.length);
        return s;
    }
}
