package dev.jtorch.nn;

import dev.jtorch.nn.functional.F;
import dev.jtorch.tensor.Tensor;
import java.util.function.UnaryOperator;

/**
 * 3-D max pooling, as PyTorch's {@code nn.MaxPool3d}: the maximum of each (dilated) window of
 * {@code [N, C, D, H, W]} or {@code [C, D, H, W]}. Sizes are (depth, height, width); the stride
 * defaults to the window. No parameters.
 */
public final class MaxPool3d extends PoolNd {
    private final long[] dilation;
    private final boolean ceilMode;

    /** {@code nn.MaxPool3d(k)}: cubic windows, stride k. */
    public MaxPool3d(long kernelSize) {
        this(kernelSize, kernelSize);
    }

    /** {@code nn.MaxPool3d(k, stride)}. */
    public MaxPool3d(long kernelSize, long stride) {
        this(times(kernelSize, 3), times(stride, 3), times(0, 3), times(1, 3), false);
    }

    /**
     * The general form; a null {@code stride} means the window.
     *
     * @throws IllegalArgumentException if an array does not have 3 values, a size is out of range, or
     *     the padding exceeds half the window
     */
    public MaxPool3d(long[] kernelSize, long[] stride, long[] padding, long[] dilation, boolean ceilMode) {
        super("MaxPool3d", 3, kernelSize, stride, padding);
        this.dilation = checked("MaxPool3d", "dilation", dilation, 3, 1);
        this.ceilMode = ceilMode;
    }

    @Override
    UnaryOperator<Tensor> kernel() {
        return x -> F.maxPool3d(x, kernelSize(), stride(), padding(), dilation, ceilMode);
    }

    /** The spacing of the window's elements, a copy. */
    public long[] dilation() {
        return dilation.clone();
    }

    /** Whether output sizes round up. */
    public boolean ceilMode() {
        return ceilMode;
    }

    @Override
    protected String extraRepr() {
        return "kernel_size=" + sizes(kernelSize()) + ", stride=" + sizes(stride()) + ", padding=" + sizes(padding())
                + ", dilation=" + sizes(dilation) + ", ceil_mode=" + Layers.bool(ceilMode);
    }
}
