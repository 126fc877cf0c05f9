package dev.jtorch.nn;

/**
 * The configuration of a {@link ConvTranspose1d}, as the arguments of PyTorch's
 * {@code nn.ConvTranspose1d} (padding mode zeros, the only one PyTorch supports for transposed
 * convolutions).
 *
 * <pre>{@code new ConvTranspose1d(new ConvTranspose1dOptions(16, 8, 3).withStride(2).withPadding(1).withOutputPadding(1));}</pre>
 *
 * @param inChannels input channels, positive and divisible by {@code groups}
 * @param outChannels output channels, positive and divisible by {@code groups}
 * @param kernelSize positive
 * @param stride positive; default 1
 * @param padding {@code dilation*(kernelSize-1) - padding} zeros are added to both sides of the
 *     input; non-negative; default 0
 * @param outputPadding extra size added to one side of the output, smaller than stride or dilation; default 0
 * @param groups blocked connections from input to output channels; default 1
 * @param bias whether the layer adds a learnable bias; default true
 * @param dilation positive; default 1
 */
public record ConvTranspose1dOptions(long inChannels, long outChannels, long kernelSize, long stride, long padding,
                                     long outputPadding, long groups, boolean bias, long dilation)
        implements ConvTranspose1dOptionsCopies {

    /**
     * Validates the options.
     *
     * @throws IllegalArgumentException naming the bad value
     */
    public ConvTranspose1dOptions {
        ConvTransposeBase.validate("ConvTranspose1d", inChannels, outChannels, new long[] {kernelSize},
                new long[] {stride}, new long[] {padding}, new long[] {outputPadding}, groups, new long[] {dilation});
    }

    /** {@code nn.ConvTranspose1d(in, out, k)}. */
    public ConvTranspose1dOptions(long inChannels, long outChannels, long kernelSize) {
        this(inChannels, outChannels, kernelSize, 1, 0, 0, 1, true, 1);
    }

    /** PyTorch's repr of the layer's arguments. */
    @Override
    public String toString() {
        return LayerInit.convRepr(inChannels, outChannels, new long[] {kernelSize}, new long[] {stride},
                new long[] {padding}, new long[] {outputPadding}, groups, bias, new long[] {dilation});
    }
}
