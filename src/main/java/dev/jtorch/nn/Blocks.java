package dev.jtorch.nn;

/**
 * The sliding-block geometry {@link Unfold} and {@link Fold} share, checked once: block size,
 * dilation, padding and stride as (height, width) pairs, with PyTorch's repr of them.
 */
record Blocks(Size2d kernelSize, Size2d dilation, Size2d padding, Size2d stride) {
    Blocks {
        kernelSize = Layers.size2d(kernelSize, "sliding blocks", "kernelSize", 1);
        dilation = Layers.size2d(dilation, "sliding blocks", "dilation", 1);
        padding = Layers.size2d(padding, "sliding blocks", "padding", 0);
        stride = Layers.size2d(stride, "sliding blocks", "stride", 1);
    }

    /** Square blocks, dilation 1, no padding, stride 1. */
    static Blocks of(long kernelSize) {
        return new Blocks(Size2d.square(kernelSize), Size2d.square(1), Size2d.square(0), Size2d.square(1));
    }

    /** {@code kernel_size=2, dilation=1, padding=0, stride=1}. */
    String repr() {
        return "kernel_size=" + Layers.size(kernelSize.toArray()) + ", dilation=" + Layers.size(dilation.toArray())
                + ", padding=" + Layers.size(padding.toArray()) + ", stride=" + Layers.size(stride.toArray());
    }
}
