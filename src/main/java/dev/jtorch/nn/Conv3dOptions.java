package dev.jtorch.nn;

/**
 * The configuration of a {@link Conv3d}, as the arguments of PyTorch's {@code nn.Conv3d}: channels,
 * kernel size, stride, padding, dilation, groups and bias.
 *
 * <pre>{@code
 * new Conv3d(new Conv3dOptions(3, 64, 3).withStride(1, 2, 2).withPadding(1).withBias(false));
 * }</pre>
 *
 * <p>Sizes are (depth, height, width) {@link Size3d} triples; the {@code long} overloads make cubic
 * ones. Immutable, with value equality. Padding is zero-padding.
 *
 * @param inChannels input channels {@code C_in}, positive and divisible by {@code groups}
 * @param outChannels output channels {@code C_out}, positive and divisible by {@code groups}
 * @param kernelSize (kd, kh, kw), positive
 * @param stride (sd, sh, sw), positive; default (1, 1, 1)
 * @param padding (pd, ph, pw), zeros added on both sides; non-negative; default (0, 0, 0)
 * @param dilation (dd, dh, dw), positive; default (1, 1, 1)
 * @param groups blocked connections from input to output channels; default 1
 * @param bias whether the layer adds a learnable bias; default true
 */
public record Conv3dOptions(long inChannels, long outChannels, Size3d kernelSize, Size3d stride, Size3d padding,
                            Size3d dilation, long groups, boolean bias) implements Conv3dOptionsCopies {

    /**
     * Validates the options.
     *
     * @throws IllegalArgumentException naming the bad value if a size is out of range or missing,
     *     or the channels are not divisible by {@code groups}
     */
    public Conv3dOptions {
        check(kernelSize, "kernelSize", 1);
        check(stride, "stride", 1);
        check(padding, "padding", 0);
        check(dilation, "dilation", 1);
        if (inChannels <= 0 || outChannels <= 0) {
            throw new IllegalArgumentException("Conv3d channels must be positive, got in=" + inChannels + ", out=" + outChannels);
        }
        if (groups <= 0) {
            throw new IllegalArgumentException("Conv3d groups must be positive, got " + groups);
        }
        if (inChannels % groups != 0 || outChannels % groups != 0) {
            throw new IllegalArgumentException("Conv3d in_channels (" + inChannels + ") and out_channels (" + outChannels
                    + ") must both be divisible by groups (" + groups + ")");
        }
    }

    private static void check(Size3d v, String what, long min) {
        if (v == null) {
            throw new IllegalArgumentException("Conv3d " + what + " must not be null");
        }
        for (long x : v.toArray()) {
            if (x < min) {
                throw new IllegalArgumentException("Conv3d " + what + " must be " + (min == 0 ? "non-negative" : "positive")
                        + ", got " + v);
            }
        }
    }

    /** Cubic kernel, stride 1, no padding, dilation 1, one group, with bias: {@code nn.Conv3d(in, out, k)}. */
    public Conv3dOptions(long inChannels, long outChannels, long kernelSize) {
        this(inChannels, outChannels, Size3d.cube(kernelSize));
    }

    /** A (kd, kh, kw) kernel, stride 1, no padding, dilation 1, one group, with bias. */
    public Conv3dOptions(long inChannels, long outChannels, Size3d kernelSize) {
        this(inChannels, outChannels, kernelSize, Size3d.cube(1), Size3d.cube(0), Size3d.cube(1), 1, true);
    }

    /** PyTorch's repr of the layer's arguments: {@code 2, 4, kernel_size=(3, 3, 3), stride=(1, 1, 1)}. */
    @Override
    public String toString() {
        return LayerInit.convRepr(inChannels, outChannels, kernelSize.toArray(), stride.toArray(), padding.toArray(),
                null, groups, bias, dilation.toArray());
    }
}
