package dev.jtorch.nn;

import dev.jtorch.nn.functional.F;
import dev.jtorch.tensor.Tensor;

/**
 * Sums sliding blocks back into an image (col2im), the inverse arrangement of {@link Unfold}, as
 * PyTorch's {@code nn.Fold}: {@code [N, C*kh*kw, L]} to {@code [N, C, H, W]} with
 * {@code (H, W) = outputSize}, overlapping values added. Sizes are (height, width). No parameters.
 */
public final class Fold extends Module {
    private final Size2d outputSize;
    private final Blocks blocks;

    /** {@code nn.Fold(output_size, k)}: square blocks, dilation 1, no padding, stride 1. */
    public Fold(Size2d outputSize, long kernelSize) {
        this(outputSize, Blocks.of(kernelSize));
    }

    /**
     * {@code nn.Fold(output_size, kernel_size, dilation, padding, stride)}.
     *
     * @throws IllegalArgumentException if a size is out of range
     */
    public Fold(Size2d outputSize, Size2d kernelSize, Size2d dilation, Size2d padding, Size2d stride) {
        this(outputSize, new Blocks(kernelSize, dilation, padding, stride));
    }

    private Fold(Size2d outputSize, Blocks blocks) {
        this.outputSize = Layers.size2d(outputSize, "Fold", "outputSize", 1);
        this.blocks = blocks;
    }

    /**
     * The image assembled from the blocks in {@code input}.
     *
     * @return {@code [N, C, H, W]} (or unbatched), owned by the current scope
     * @throws dev.jtorch.TorchException naming this layer if the input's shape does not match the
     *     block count and size
     * @throws IllegalStateException if no scope is open or the layer is closed
     */
    @Override
    public Tensor forward(Tensor input) {
        checkOpen();
        Blocks b = blocks;
        return Layers.run(this, () -> F.fold(input, outputSize.toArray(), b.kernelSize().toArray(), b.dilation().toArray(),
                b.padding().toArray(), b.stride().toArray()));
    }

    @Override
    protected String extraRepr() {
        return "output_size=" + Layers.size(outputSize.toArray()) + ", " + blocks.repr();
    }
}
