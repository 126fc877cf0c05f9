package dev.jtorch.nn;

/**
 * The configuration of a {@link ConvTranspose3d}, as the arguments of PyTorch's
 * {@code nn.ConvTranspose3d}: channels, kernel size, stride, padding, output padding, groups, bias
 * and dilation. Sizes are (depth, height, width) {@link Size3d} triples; the {@code long} overloads
 * make cubic ones. Immutable, with value equality.
 *
 * @param inChannels input channels, positive and divisible by {@code groups}
 * @param outChannels output channels, positive and divisible by {@code groups}
 * @param kernelSize (kd, kh, kw), positive
 * @param stride positive; default (1, 1, 1)
 * @param padding {@code dilation * (kernel - 1) - padding} zeros added on both sides of the input; default 0
 * @param outputPadding extra size on one side of the output, smaller than the stride or the dilation; default 0
 * @param groups blocked connections from input to output channels; default 1
 * @param bias whether the layer adds a learnable bias; default true
 * @param dilation positive; default (1, 1, 1)
 */
public record ConvTranspose3dOptions(long inChannels, long outChannels, Size3d kernelSize, Size3d stride,
                                     Size3d padding, Size3d outputPadding, long groups, boolean bias, Size3d dilation)
        implements ConvTranspose3dOptionsCopies {

    /**
     * Validates the options.
     *
     * @throws IllegalArgumentException naming the bad value
     */
    public ConvTranspose3dOptions {
        for (Size3d v : new Size3d[] {kernelSize, stride, padding, outputPadding, dilation}) {
            if (v == null) {
                throw new IllegalArgumentException("ConvTranspose3d sizes must not be null");
            }
        }
        ConvTransposeBase.validate("ConvTranspose3d", inChannels, outChannels, kernelSize.toArray(), stride.toArray(),
                padding.toArray(), outputPadding.toArray(), groups, dilation.toArray());
    }

    /** Cubic kernel, stride 1, no padding, one group, with bias, dilation 1: {@code nn.ConvTranspose3d(in, out, k)}. */
    public ConvTranspose3dOptions(long inChannels, long outChannels, long kernelSize) {
        this(inChannels, outChannels, Size3d.cube(kernelSize), Size3d.cube(1), Size3d.cube(0), Size3d.cube(0), 1, true,
                Size3d.cube(1));
    }

    /** PyTorch's repr of the layer's arguments. */
    @Override
    public String toString() {
        return LayerInit.convRepr(inChannels, outChannels, kernelSize.toArray(), stride.toArray(), padding.toArray(),
                outputPadding.toArray(), groups, bias, dilation.toArray());
    }
}
