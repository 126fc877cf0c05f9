package dev.jtorch.nn;

import dev.jtorch.nn.functional.F;
import dev.jtorch.tensor.Tensor;
import java.util.function.UnaryOperator;

/**
 * 1-D average pooling, as PyTorch's {@code nn.AvgPool1d}: the mean of each window of {@code [N, C, L]}
 * or {@code [C, L]}, zero padding counted unless {@code countIncludePad} is false. The stride defaults
 * to the window. No parameters.
 */
public final class AvgPool1d extends PoolNd {
    private final boolean ceilMode;
    private final boolean countIncludePad;

    /** {@code nn.AvgPool1d(k)}: stride k. */
    public AvgPool1d(long kernelSize) {
        this(kernelSize, kernelSize);
    }

    /** {@code nn.AvgPool1d(k, stride)}. */
    public AvgPool1d(long kernelSize, long stride) {
        this(kernelSize, stride, 0, false, true);
    }

    /**
     * The general form.
     *
     * @throws IllegalArgumentException if a size is out of range or the padding exceeds half the window
     */
    public AvgPool1d(long kernelSize, long stride, long padding, boolean ceilMode, boolean countIncludePad) {
        super("AvgPool1d", 1, new long[] {kernelSize}, new long[] {stride}, new long[] {padding});
        this.ceilMode = ceilMode;
        this.countIncludePad = countIncludePad;
    }

    @Override
    UnaryOperator<Tensor> kernel() {
        return x -> F.avgPool1d(x, kernelSize()[0], stride()[0], padding()[0], ceilMode, countIncludePad);
    }

    /** Whether output sizes round up. */
    public boolean ceilMode() {
        return ceilMode;
    }

    /** Whether padded zeros count in the mean. */
    public boolean countIncludePad() {
        return countIncludePad;
    }

    @Override
    protected String extraRepr() {
        return "kernel_size=(" + kernelSize()[0] + ",), stride=(" + stride()[0] + ",), padding=(" + padding()[0] + ",)";
    }
}
