package dev.jtorch.nn;

import dev.jtorch.nn.functional.F;
import dev.jtorch.tensor.Tensor;

/**
 * Extracts sliding blocks (im2col), as PyTorch's {@code nn.Unfold}: {@code [N, C, H, W]} to
 * {@code [N, C*kh*kw, L]}, {@code L} the number of block positions. Sizes are (height, width). No
 * parameters.
 */
public final class Unfold extends Module {
    private final Blocks blocks;

    /** {@code nn.Unfold(k)}: square blocks, dilation 1, no padding, stride 1. */
    public Unfold(long kernelSize) {
        this.blocks = Blocks.of(kernelSize);
    }

    /**
     * {@code nn.Unfold(kernel_size, dilation, padding, stride)}.
     *
     * @throws IllegalArgumentException if a size is out of range
     */
    public Unfold(Size2d kernelSize, Size2d dilation, Size2d padding, Size2d stride) {
        this.blocks = new Blocks(kernelSize, dilation, padding, stride);
    }

    /**
     * The blocks of {@code input}.
     *
     * @return {@code [N, C*kh*kw, L]} (or unbatched), owned by the current scope
     * @throws dev.jtorch.TorchException naming this layer if the input is not 3-D/4-D or is smaller than a block
     * @throws IllegalStateException if no scope is open or the layer is closed
     */
    @Override
    public Tensor forward(Tensor input) {
        checkOpen();
        Blocks b = blocks;
        return Layers.run(this, () -> F.unfold(input, b.kernelSize().toArray(), b.dilation().toArray(),
                b.padding().toArray(), b.stride().toArray()));
    }

    @Override
    protected String extraRepr() {
        return blocks.repr();
    }
}
