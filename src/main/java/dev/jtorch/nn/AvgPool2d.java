package dev.jtorch.nn;

import dev.jtorch.nn.functional.F;
import dev.jtorch.tensor.Tensor;

/**
 * 2-D average pooling, as PyTorch's {@code nn.AvgPool2d}: the mean of each window.
 *
 * <p>Shapes: input {@code [N, C, H, W]} or {@code [C, H, W]}, output {@code [N, C, H_out, W_out]}
 * with {@code H_out = (H + 2*ph - kh) / sh + 1} (floor, or ceiling with {@code ceilMode}). The
 * stride defaults to the kernel size; with {@code countIncludePad} (the default) the zero padding
 * counts in the divisor. No parameters or buffers.
 */
public final class AvgPool2d extends Pool2d {
    private final boolean countIncludePad;

    /**
     * Square windows with stride = kernel size: {@code nn.AvgPool2d(k)}.
     *
     * @throws IllegalArgumentException if the size is not positive
     */
    public AvgPool2d(long kernelSize) {
        this(kernelSize, kernelSize);
    }

    /**
     * Square windows with the given stride.
     *
     * @throws IllegalArgumentException if a size is not positive
     */
    public AvgPool2d(long kernelSize, long stride) {
        this(kernelSize, stride, 0);
    }

    /**
     * Square windows with the given stride and zero-padding on every side.
     *
     * @throws IllegalArgumentException if a size is out of range or the padding exceeds half the kernel
     */
    public AvgPool2d(long kernelSize, long stride, long padding) {
        this(Layers.square(kernelSize), Layers.square(stride), Layers.square(padding), false, true);
    }

    /**
     * The general form; every size is a (height, width) pair; a null {@code stride} means the kernel size.
     *
     * @throws IllegalArgumentException if a pair does not have two values, a size is out of range,
     *     or the padding exceeds half the kernel
     */
    public AvgPool2d(long[] kernelSize, long[] stride, long[] padding, boolean ceilMode, boolean countIncludePad) {
        super("AvgPool2d", kernelSize, stride, padding, ceilMode);
        this.countIncludePad = countIncludePad;
    }

    @Override
    Tensor pool(Tensor input) {
        return F.avgPool2d(input, kernelSize(), stride(), padding(), ceilMode(), countIncludePad);
    }

    /** Whether the zero padding counts in each window's divisor. */
    public boolean countIncludePad() {
        return countIncludePad;
    }

    @Override
    protected String extraRepr() {
        return windowRepr();
    }
}
