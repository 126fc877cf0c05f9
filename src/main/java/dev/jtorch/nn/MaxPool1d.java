package dev.jtorch.nn;

import dev.jtorch.nn.functional.F;
import dev.jtorch.tensor.Tensor;
import java.util.function.UnaryOperator;

/**
 * 1-D max pooling, as PyTorch's {@code nn.MaxPool1d}: the maximum of each (dilated) window of
 * {@code [N, C, L]} or {@code [C, L]}; {@code L_out = (L + 2p - d(k-1) - 1) / s + 1} (floor, or
 * ceiling with {@code ceilMode}). The stride defaults to the window. No parameters.
 */
public final class MaxPool1d extends PoolNd {
    private final long dilation;
    private final boolean ceilMode;

    /** {@code nn.MaxPool1d(k)}: stride k. */
    public MaxPool1d(long kernelSize) {
        this(kernelSize, kernelSize);
    }

    /** {@code nn.MaxPool1d(k, stride)}. */
    public MaxPool1d(long kernelSize, long stride) {
        this(kernelSize, stride, 0, 1, false);
    }

    /**
     * The general form.
     *
     * @throws IllegalArgumentException if a size is out of range or the padding exceeds half the window
     */
    public MaxPool1d(long kernelSize, long stride, long padding, long dilation, boolean ceilMode) {
        super("MaxPool1d", 1, new long[] {kernelSize}, new long[] {stride}, new long[] {padding});
        this.dilation = checked("MaxPool1d", "dilation", new long[] {dilation}, 1, 1)[0];
        this.ceilMode = ceilMode;
    }

    @Override
    UnaryOperator<Tensor> kernel() {
        return x -> F.maxPool1d(x, kernelSize()[0], stride()[0], padding()[0], dilation, ceilMode);
    }

    /** The spacing of the window's elements. */
    public long dilation() {
        return dilation;
    }

    /** Whether output sizes round up. */
    public boolean ceilMode() {
        return ceilMode;
    }

    @Override
    protected String extraRepr() {
        return "kernel_size=" + kernelSize()[0] + ", stride=" + stride()[0] + ", padding=" + padding()[0] + ", dilation="
                + dilation + ", ceil_mode=" + Layers.bool(ceilMode);
    }
}
