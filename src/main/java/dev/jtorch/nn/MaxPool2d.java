package dev.jtorch.nn;

import dev.jtorch.TorchException;
import dev.jtorch.nn.functional.F;
import dev.jtorch.tensor.Tensor;

/**
 * 2-D max pooling, as PyTorch's {@code nn.MaxPool2d}: the maximum of each (dilated) window.
 *
 * <p>Shapes: input {@code [N, C, H, W]} or {@code [C, H, W]}, output {@code [N, C, H_out, W_out]}
 * with {@code H_out = (H + 2*ph - dh*(kh-1) - 1) / sh + 1} (floor, or ceiling with
 * {@code ceilMode}). The stride defaults to the kernel size. No parameters or buffers.
 */
public final class MaxPool2d extends Module {
    private final long[] kernelSize;
    private final long[] stride;
    private final long[] padding;
    private final long[] dilation;
    private final boolean ceilMode;

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
        this.kernelSize = Layers.pair(kernelSize, "MaxPool2d", "kernelSize", 1);
        this.stride = Layers.pair(stride == null ? kernelSize : stride, "MaxPool2d", "stride", 1);
        this.padding = Layers.pair(padding, "MaxPool2d", "padding", 0);
        this.dilation = Layers.pair(dilation, "MaxPool2d", "dilation", 1);
        this.ceilMode = ceilMode;
        Layers.checkPoolPadding("MaxPool2d", this.padding, this.kernelSize);
    }

    /**
     * Applies the pooling.
     *
     * @return a tensor owned by the current scope
     * @throws TorchException naming this layer and the input shape if the input is not 3-D/4-D or
     *     is smaller than the window
     * @throws IllegalStateException if no scope is open or the layer is closed
     */
    @Override
    public Tensor forward(Tensor input) {
        checkOpen();
        Layers.requireImage(this, input);
        return Layers.run(this, () -> F.maxPool2d(input, kernelSize, stride, padding, dilation, ceilMode));
    }

    /** (kh, kw), a copy. */
    public long[] kernelSize() {
        return kernelSize.clone();
    }

    /** (sh, sw), a copy. */
    public long[] stride() {
        return stride.clone();
    }

    /** (ph, pw), a copy. */
    public long[] padding() {
        return padding.clone();
    }

    /** (dh, dw), a copy. */
    public long[] dilation() {
        return dilation.clone();
    }

    /** Whether output sizes round up. */
    public boolean ceilMode() {
        return ceilMode;
    }

    @Override
    protected String extraRepr() {
        return "kernel_size=" + Layers.size(kernelSize) + ", stride=" + Layers.size(stride) + ", padding="
                + Layers.size(padding) + ", dilation=" + Layers.size(dilation) + ", ceil_mode=" + Layers.bool(ceilMode);
    }
}
