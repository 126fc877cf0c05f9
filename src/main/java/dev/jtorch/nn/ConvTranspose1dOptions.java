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
                                     long outputPadding, long groups, boolean bias, long dilation) {

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

    /** These options with another stride. */
    public ConvTranspose1dOptions withStride(long s) {
        return new ConvTranspose1dOptions(inChannels, outChannels, kernelSize, s, padding, outputPadding, groups, bias, dilation);
    }

    /** These options with another padding. */
    public ConvTranspose1dOptions withPadding(long p) {
        return new ConvTranspose1dOptions(inChannels, outChannels, kernelSize, stride, p, outputPadding, groups, bias, dilation);
    }

    /** These options with another output padding. */
    public ConvTranspose1dOptions withOutputPadding(long p) {
        return new ConvTranspose1dOptions(inChannels, outChannels, kernelSize, stride, padding, p, groups, bias, dilation);
    }

    /** These options with {@code g} groups. */
    public ConvTranspose1dOptions withGroups(long g) {
        return new ConvTranspose1dOptions(inChannels, outChannels, kernelSize, stride, padding, outputPadding, g, bias, dilation);
    }

    /** These options with or without a bias. */
    public ConvTranspose1dOptions withBias(boolean b) {
        return new ConvTranspose1dOptions(inChannels, outChannels, kernelSize, stride, padding, outputPadding, groups, b, dilation);
    }

    /** These options with another dilation. */
    public ConvTranspose1dOptions withDilation(long d) {
        return new ConvTranspose1dOptions(inChannels, outChannels, kernelSize, stride, padding, outputPadding, groups, bias, d);
    }

    /** PyTorch's repr of the layer's arguments. */
    @Override
    public String toString() {
        return LayerInit.convRepr(inChannels, outChannels, new long[] {kernelSize}, new long[] {stride},
                new long[] {padding}, new long[] {outputPadding}, groups, bias, new long[] {dilation});
    }
}
