package dev.jtorch.nn;

/**
 * The configuration of a {@link ConvTranspose2d}, as the arguments of PyTorch's
 * {@code nn.ConvTranspose2d}. Sizes are (height, width) {@link Size2d} pairs; the {@code long}
 * overloads make square ones. Immutable, with value equality.
 *
 * <pre>{@code new ConvTranspose2d(new ConvTranspose2dOptions(16, 8, 4).withStride(2).withPadding(1));}</pre>
 *
 * @param inChannels input channels, positive and divisible by {@code groups}
 * @param outChannels output channels, positive and divisible by {@code groups}
 * @param kernelSize (kh, kw), positive
 * @param stride (sh, sw), positive; default (1, 1)
 * @param padding (ph, pw), non-negative; default (0, 0)
 * @param outputPadding (oh, ow), extra size on one side of the output, each smaller than its
 *     stride or dilation; default (0, 0)
 * @param groups blocked connections from input to output channels; default 1
 * @param bias whether the layer adds a learnable bias; default true
 * @param dilation (dh, dw), positive; default (1, 1)
 */
public record ConvTranspose2dOptions(long inChannels, long outChannels, Size2d kernelSize, Size2d stride,
                                     Size2d padding, Size2d outputPadding, long groups, boolean bias, Size2d dilation)
        implements ConvTranspose2dOptionsCopies {

    /**
     * Validates the options.
     *
     * @throws IllegalArgumentException naming the bad value
     */
    public ConvTranspose2dOptions {
        kernelSize = Layers.size2d(kernelSize, "ConvTranspose2d", "kernelSize", 1);
        stride = Layers.size2d(stride, "ConvTranspose2d", "stride", 1);
        padding = Layers.size2d(padding, "ConvTranspose2d", "padding", 0);
        outputPadding = Layers.size2d(outputPadding, "ConvTranspose2d", "outputPadding", 0);
        dilation = Layers.size2d(dilation, "ConvTranspose2d", "dilation", 1);
        ConvTransposeBase.validate("ConvTranspose2d", inChannels, outChannels, kernelSize.toArray(), stride.toArray(),
                padding.toArray(), outputPadding.toArray(), groups, dilation.toArray());
    }

    /** {@code nn.ConvTranspose2d(in, out, k)}: a square kernel. */
    public ConvTranspose2dOptions(long inChannels, long outChannels, long kernelSize) {
        this(inChannels, outChannels, Size2d.square(kernelSize));
    }

    /**
     * A (kh, kw) kernel with every other option at its default.
     *
     * @throws IllegalArgumentException if {@code kernelSize} does not hold two positive values
     */
    public ConvTranspose2dOptions(long inChannels, long outChannels, long[] kernelSize) {
        this(inChannels, outChannels, Layers.size2d(kernelSize, "ConvTranspose2d", "kernelSize", 1));
    }

    /** A (kh, kw) kernel with every other option at its default. */
    public ConvTranspose2dOptions(long inChannels, long outChannels, Size2d kernelSize) {
        this(inChannels, outChannels, kernelSize, Size2d.square(1), Size2d.square(0), Size2d.square(0), 1, true,
                Size2d.square(1));
    }

    /** PyTorch's repr of the layer's arguments. */
    @Override
    public String toString() {
        return LayerInit.convRepr(inChannels, outChannels, kernelSize.toArray(), stride.toArray(), padding.toArray(),
                outputPadding.toArray(), groups, bias, dilation.toArray());
    }
}
