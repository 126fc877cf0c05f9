package dev.jtorch.nn;

import dev.jtorch.TorchException;
import dev.jtorch.tensor.Tensor;

/** What the 2-D pooling layers share: window, stride, padding, rounding, checks and the forward frame. */
abstract class Pool2d extends Module {
    private final long[] kernelSize;
    private final long[] stride;
    private final long[] padding;
    private final boolean ceilMode;

    /** Validates the (height, width) pairs; a null {@code stride} means the kernel size. */
    Pool2d(String layer, long[] kernelSize, long[] stride, long[] padding, boolean ceilMode) {
        this.kernelSize = Layers.pair(kernelSize, layer, "kernelSize", 1);
        this.stride = Layers.pair(stride == null ? kernelSize : stride, layer, "stride", 1);
        this.padding = Layers.pair(padding, layer, "padding", 0);
        this.ceilMode = ceilMode;
        Layers.checkPoolPadding(layer, this.padding, this.kernelSize);
    }

    /** The pooling kernel on a checked 3-D/4-D input. */
    abstract Tensor pool(Tensor input);

    /**
     * Applies the pooling.
     *
     * @return a tensor owned by the current scope
     * @throws TorchException naming this layer and the input shape if the input is not 3-D/4-D or
     *     is smaller than the window
     * @throws IllegalStateException if no scope is open or the layer is closed
     */
    @Override
    public final Tensor forward(Tensor input) {
        checkOpen();
        Layers.requireImage(this, input);
        return Layers.run(this, () -> pool(input));
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

    /** Whether output sizes round up. */
    public boolean ceilMode() {
        return ceilMode;
    }

    /** {@code kernel_size=.., stride=.., padding=..}, the start of PyTorch's repr. */
    String windowRepr() {
        return "kernel_size=" + Layers.size(kernelSize) + ", stride=" + Layers.size(stride) + ", padding="
                + Layers.size(padding);
    }
}
