package dev.jtorch.nn;

import dev.jtorch.nn.functional.F;
import dev.jtorch.tensor.Tensor;

/**
 * 2-D max pooling, as PyTorch's {@code nn.MaxPool2d}: the maximum of each (dilated) window.
 *
 * <p>Shapes: input {@code [N, C, H, W]} or {@code [C, H, W]}, output {@code [N, C, H_out, W_out]}
 * with {@code H_out = (H + 2*ph - dh*(kh-1) - 1) / sh + 1} (floor, or ceiling with
 * {@code ceilMode}). The stride defaults to the kernel size. No parameters or buffers.
 */
public final class MaxPool2d extends Pool2d {
    private final long[] dilation;

    /**
     * Square windows with stride = kernel size: {@code nn.MaxPool2d(k)}.
     *
     * @throws IllegalArgumentException if the size is not positive
     */
    public MaxPool2d(long kernelSize) {
        this(kernelSize, kernelSize);
    }

    /**
     * Square windows with the given stride.
     *
     * @throws IllegalArgumentException if a size is not positive
     */
    public MaxPool2d(long kernelSize, long stride) {
        this(kernelSize, stride, 0);
    }

    /**
     * Square windows with the given stride and implicit -inf padding on every side.
     *
     * @throws IllegalArgumentException if a size is out of range or the padding exceeds half the kernel
     */
    public MaxPool2d(long kernelSize, long stride, long padding) {
        this(Layers.square(kernelSize), Layers.square(stride), Layers.square(padding), Layers.square(1), false);
    }

    /**
     * The general form; every size is a (height, width) pair; a null {@code stride} means the kernel size.
     *
     * @throws IllegalArgumentException if a pair does not have two values, a size is out of range,
     *     or the padding exceeds half the kernel
     */
    public MaxPool2d(long[] kernelSize, long[] stride, long[] padding, long[] dilation, boolean ceilMode) {
        super("MaxPool2d", kernelSize, stride, padding, ceilMode);
        this.dilation = Layers.pair(dilation, "MaxPool2d", "dilation", 1);
    }

    @Override
    Tensor pool(Tensor input) {
        return F.maxPool2d(input, kernelSize(), stride(), padding(), dilation, ceilMode());
    }

    /** (dh, dw), a copy. */
    public long[] dilation() {
        return dilation.clone();
    }

    @Override
    protected String extraRepr() {
        return windowRepr() + ", dilation=" + Layers.size(dilation) + ", ceil_mode=" + Layers.bool(ceilMode());
    }
}
