package dev.jtorch.nn;

import dev.jtorch.tensor.Tensor;
import java.util.Arrays;
import java.util.function.UnaryOperator;

/**
 * What the 1-D and 3-D pooling layers share: a window, stride and padding per pooled dimension,
 * checked once (positive window and stride, padding at most half the window, as PyTorch requires),
 * and a forward that is one functional call whose errors name the layer.
 */
abstract class PoolNd extends Module {
    private final long[] kernelSize;
    private final long[] stride;
    private final long[] padding;

    /** A null {@code stride} means the window. */
    PoolNd(String layer, int dims, long[] kernelSize, long[] stride, long[] padding) {
        this.kernelSize = checked(layer, "kernelSize", kernelSize, dims, 1);
        this.stride = checked(layer, "stride", stride == null ? kernelSize : stride, dims, 1);
        this.padding = checked(layer, "padding", padding, dims, 0);
        for (int i = 0; i < dims; i++) {
            if (this.padding[i] * 2 > this.kernelSize[i]) {
                throw new IllegalArgumentException(layer + ": padding " + Arrays.toString(this.padding)
                        + " should be at most half of the kernel size " + Arrays.toString(this.kernelSize));
            }
        }
    }

    /** {@code v} repeated to {@code dims} values. */
    static long[] times(long v, int dims) {
        long[] out = new long[dims];
        Arrays.fill(out, v);
        return out;
    }

    static long[] checked(String layer, String what, long[] v, int dims, long min) {
        if (v == null || v.length != dims) {
            throw new IllegalArgumentException(layer + ": " + what + " must have " + dims + " value" + (dims == 1 ? "" : "s")
                    + ", got " + (v == null ? "null" : Arrays.toString(v)));
        }
        for (long x : v) {
            if (x < min) {
                throw new IllegalArgumentException(layer + ": " + what + " must be " + (min == 0 ? "non-negative" : "positive")
                        + ", got " + Arrays.toString(v));
            }
        }
        return v.clone();
    }

    /** The pooling call on {@code input}. */
    abstract UnaryOperator<Tensor> kernel();

    /**
     * Applies the pooling; the result belongs to the current scope.
     *
     * @throws dev.jtorch.TorchException naming this layer and the input shape if the input has the wrong
     *     rank or is smaller than the window
     * @throws IllegalStateException if no scope is open or the layer is closed
     */
    @Override
    public final Tensor forward(Tensor input) {
        checkOpen();
        return Layers.run(this, () -> kernel().apply(input));
    }

    /** The window, a copy. */
    public final long[] kernelSize() {
        return kernelSize.clone();
    }

    /** The stride, a copy. */
    public final long[] stride() {
        return stride.clone();
    }

    /** The implicit padding on each side, a copy. */
    public final long[] padding() {
        return padding.clone();
    }

    /** One value as an int, several as a tuple unless all equal: how PyTorch prints what it was given. */
    static String sizes(long[] v) {
        boolean same = true;
        for (long x : v) {
            same &= x == v[0];
        }
        if (same) {
            return Long.toString(v[0]);
        }
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < v.length; i++) {
            sb.append(i == 0 ? "" : ", ").append(v[i]);
        }
        return sb.append(')').toString();
    }
}
