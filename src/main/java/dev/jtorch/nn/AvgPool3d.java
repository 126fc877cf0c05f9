package dev.jtorch.nn;

import dev.jtorch.nn.functional.F;
import dev.jtorch.tensor.Tensor;
import java.util.function.UnaryOperator;

/**
 * 3-D average pooling, as PyTorch's {@code nn.AvgPool3d}: the mean of each window of
 * {@code [N, C, D, H, W]} or {@code [C, D, H, W]}; padded zeros count unless {@code countIncludePad}
 * is false, and {@code divisorOverride} replaces the window size as the divisor. Sizes are (depth,
 * height, width); the stride defaults to the window. No parameters.
 */
public final class AvgPool3d extends PoolNd {
    private final boolean ceilMode;
    private final boolean countIncludePad;
    private final Long divisorOverride;

    /** {@code nn.AvgPool3d(k)}: cubic windows, stride k. */
    public AvgPool3d(long kernelSize) {
        this(kernelSize, kernelSize);
    }

    /** {@code nn.AvgPool3d(k, stride)}. */
    public AvgPool3d(long kernelSize, long stride) {
        this(times(kernelSize, 3), times(stride, 3), times(0, 3), false, true, null);
    }

    /**
     * The general form; a null {@code stride} means the window, a null {@code divisorOverride} the
     * window size.
     *
     * @throws IllegalArgumentException if an array does not have 3 values, a size is out of range, the
     *     padding exceeds half the window, or the divisor is not positive
     */
    public AvgPool3d(long[] kernelSize, long[] stride, long[] padding, boolean ceilMode, boolean countIncludePad,
                     Long divisorOverride) {
        super("AvgPool3d", 3, kernelSize, stride, padding);
        if (divisorOverride != null && divisorOverride <= 0) {
            throw new IllegalArgumentException("AvgPool3d: divisorOverride must be positive, got " + divisorOverride);
        }
        this.ceilMode = ceilMode;
        this.countIncludePad = countIncludePad;
        this.divisorOverride = divisorOverride;
    }

    @Override
    UnaryOperator<Tensor> kernel() {
        return x -> F.avgPool3d(x, kernelSize(), stride(), padding(), ceilMode, countIncludePad, divisorOverride);
    }

    /** Whether output sizes round up. */
    public boolean ceilMode() {
        return ceilMode;
    }

    /** Whether padded zeros count in the mean. */
    public boolean countIncludePad() {
        return countIncludePad;
    }

    /** The divisor replacing the window size, or null. */
    public Long divisorOverride() {
        return divisorOverride;
    }

    @Override
    protected String extraRepr() {
        return "kernel_size=" + sizes(kernelSize()) + ", stride=" + sizes(stride()) + ", padding=" + sizes(padding());
    }
}
