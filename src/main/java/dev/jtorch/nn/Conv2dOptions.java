package dev.jtorch.nn;

/**
 * The configuration of a {@link Conv2d}, as the arguments of PyTorch's {@code nn.Conv2d}: channels,
 * kernel size, stride, padding, dilation, groups and bias.
 *
 * <pre>{@code
 * new Conv2d(new Conv2dOptions(3, 16, 5).withStride(2).withPadding(2).withBias(false));
 * }</pre>
 *
 * <p>Sizes are (height, width) {@link Size2d} pairs; the {@code long} overloads make square ones.
 * Immutable, with value equality. Padding is zero-padding (PyTorch's {@code padding_mode="zeros"}).
 *
 * @param inChannels input channels {@code C_in}, positive and divisible by {@code groups}
 * @param outChannels output channels {@code C_out}, positive and divisible by {@code groups}
 * @param kernelSize (kh, kw), positive
 * @param stride (sh, sw), positive; default (1, 1)
 * @param padding (ph, pw), zeros added on both sides; non-negative; default (0, 0)
 * @param dilation (dh, dw), positive; default (1, 1)
 * @param groups blocked connections from input to output channels; default 1
 * @param bias whether the layer adds a learnable bias; default true
 */
public record Conv2dOptions(long inChannels, long outChannels, Size2d kernelSize, Size2d stride, Size2d padding,
                            Size2d dilation, long groups, boolean bias) implements Conv2dOptionsCopies {

    /**
     * Validates the options.
     *
     * @throws IllegalArgumentException naming the bad value if a size is out of range or missing,
     *     or the channels are not divisible by {@code groups}
     */
    public Conv2dOptions {
        kernelSize = Layers.size2d(kernelSize, "Conv2d", "kernelSize", 1);
        stride = Layers.size2d(stride, "Conv2d", "stride", 1);
        padding = Layers.size2d(padding, "Conv2d", "padding", 0);
        dilation = Layers.size2d(dilation, "Conv2d", "dilation", 1);
        if (inChannels <= 0 || outChannels <= 0) {
            throw new IllegalArgumentException("Conv2d channels must be positive, got in=" + inChannels + ", out=" + outChannels);
        }
        if (groups <= 0) {
            throw new IllegalArgumentException("Conv2d groups must be positive, got " + groups);
        }
        if (inChannels % groups != 0 || outChannels % groups != 0) {
            throw new IllegalArgumentException("Conv2d in_channels (" + inChannels + ") and out_channels (" + outChannels
                    + ") must both be divisible by groups (" + groups + ")");
        }
    }

    /** Square kernel, stride 1, no padding, dilation 1, one group, with bias: {@code nn.Conv2d(in, out, k)}. */
    public Conv2dOptions(long inChannels, long outChannels, long kernelSize) {
        this(inChannels, outChannels, Size2d.square(kernelSize));
    }

    /**
     * A (kh, kw) kernel, stride 1, no padding, dilation 1, one group, with bias.
     *
     * @throws IllegalArgumentException if {@code kernelSize} does not hold two positive values
     */
    public Conv2dOptions(long inChannels, long outChannels, long[] kernelSize) {
        this(inChannels, outChannels, Layers.size2d(kernelSize, "Conv2d", "kernelSize", 1));
    }

    /** A (kh, kw) kernel, stride 1, no padding, dilation 1, one group, with bias. */
    public Conv2dOptions(long inChannels, long outChannels, Size2d kernelSize) {
        this(inChannels, outChannels, kernelSize, Size2d.square(1), Size2d.square(0), Size2d.square(1), 1, true);
    }

    /** PyTorch's repr of the layer's arguments: {@code 1, 32, kernel_size=(3, 3), stride=(1, 1)}. */
    @Override
    public String toString() {
        return LayerInit.convRepr(inChannels, outChannels, kernelSize.toArray(), stride.toArray(), padding.toArray(),
                null, groups, bias, dilation.toArray());
    }
}
