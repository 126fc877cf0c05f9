package dev.jtorch.nn;

import java.util.Arrays;

/**
 * The configuration of a {@link ConvTranspose2d}, as the arguments of PyTorch's
 * {@code nn.ConvTranspose2d}. Sizes are (height, width) pairs; the {@code long} overloads make
 * square ones. Immutable: the arrays are copied in and out.
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
public record ConvTranspose2dOptions(long inChannels, long outChannels, long[] kernelSize, long[] stride,
                                     long[] padding, long[] outputPadding, long groups, boolean bias, long[] dilation) {

    /**
     * Validates and copies the arrays.
     *
     * @throws IllegalArgumentException naming the bad value
     */
    public ConvTranspose2dOptions {
        kernelSize = Layers.pair(kernelSize, "ConvTranspose2d", "kernelSize", 1);
        stride = Layers.pair(stride, "ConvTranspose2d", "stride", 1);
        padding = Layers.pair(padding, "ConvTranspose2d", "padding", 0);
        outputPadding = Layers.pair(outputPadding, "ConvTranspose2d", "outputPadding", 0);
        dilation = Layers.pair(dilation, "ConvTranspose2d", "dilation", 1);
        ConvTransposeBase.validate("ConvTranspose2d", inChannels, outChannels, kernelSize, stride, padding,
                outputPadding, groups, dilation);
    }

    /** {@code nn.ConvTranspose2d(in, out, k)}: a square kernel. */
    public ConvTranspose2dOptions(long inChannels, long outChannels, long kernelSize) {
        this(inChannels, outChannels, new long[] {kernelSize, kernelSize});
    }

    /** A (kh, kw) kernel with every other option at its default. */
    public ConvTranspose2dOptions(long inChannels, long outChannels, long[] kernelSize) {
        this(inChannels, outChannels, kernelSize, new long[] {1, 1}, new long[] {0, 0}, new long[] {0, 0}, 1, true,
                new long[] {1, 1});
    }

    @Override
    public long[] kernelSize() {
        return kernelSize.clone();
    }

    @Override
    public long[] stride() {
        return stride.clone();
    }

    @Override
    public long[] padding() {
        return padding.clone();
    }

    @Override
    public long[] outputPadding() {
        return outputPadding.clone();
    }

    @Override
    public long[] dilation() {
        return dilation.clone();
    }

    /** These options with the same stride in both directions. */
    public ConvTranspose2dOptions withStride(long s) {
        return withStride(s, s);
    }

    /** These options with stride (sh, sw). */
    public ConvTranspose2dOptions withStride(long sh, long sw) {
        return new ConvTranspose2dOptions(inChannels, outChannels, kernelSize, new long[] {sh, sw}, padding, outputPadding,
                groups, bias, dilation);
    }

    /** These options with the same padding in both directions. */
    public ConvTranspose2dOptions withPadding(long p) {
        return withPadding(p, p);
    }

    /** These options with padding (ph, pw). */
    public ConvTranspose2dOptions withPadding(long ph, long pw) {
        return new ConvTranspose2dOptions(inChannels, outChannels, kernelSize, stride, new long[] {ph, pw}, outputPadding,
                groups, bias, dilation);
    }

    /** These options with the same output padding in both directions. */
    public ConvTranspose2dOptions withOutputPadding(long p) {
        return withOutputPadding(p, p);
    }

    /** These options with output padding (oh, ow). */
    public ConvTranspose2dOptions withOutputPadding(long oh, long ow) {
        return new ConvTranspose2dOptions(inChannels, outChannels, kernelSize, stride, padding, new long[] {oh, ow},
                groups, bias, dilation);
    }

    /** These options with {@code g} groups. */
    public ConvTranspose2dOptions withGroups(long g) {
        return new ConvTranspose2dOptions(inChannels, outChannels, kernelSize, stride, padding, outputPadding, g, bias,
                dilation);
    }

    /** These options with or without a bias. */
    public ConvTranspose2dOptions withBias(boolean b) {
        return new ConvTranspose2dOptions(inChannels, outChannels, kernelSize, stride, padding, outputPadding, groups, b,
                dilation);
    }

    /** These options with the same dilation in both directions. */
    public ConvTranspose2dOptions withDilation(long d) {
        return withDilation(d, d);
    }

    /** These options with dilation (dh, dw). */
    public ConvTranspose2dOptions withDilation(long dh, long dw) {
        return new ConvTranspose2dOptions(inChannels, outChannels, kernelSize, stride, padding, outputPadding, groups,
                bias, new long[] {dh, dw});
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ConvTranspose2dOptions c && inChannels == c.inChannels && outChannels == c.outChannels
                && Arrays.equals(kernelSize, c.kernelSize) && Arrays.equals(stride, c.stride)
                && Arrays.equals(padding, c.padding) && Arrays.equals(outputPadding, c.outputPadding)
                && groups == c.groups && bias == c.bias && Arrays.equals(dilation, c.dilation);
    }

    @Override
    public int hashCode() {
        int h = Long.hashCode(inChannels);
        h = 31 * h + Long.hashCode(outChannels);
        h = 31 * h + Arrays.hashCode(kernelSize);
        h = 31 * h + Arrays.hashCode(stride);
        h = 31 * h + Arrays.hashCode(padding);
        h = 31 * h + Arrays.hashCode(outputPadding);
        h = 31 * h + Long.hashCode(groups);
        h = 31 * h + Boolean.hashCode(bias);
        return 31 * h + Arrays.hashCode(dilation);
    }

    /** PyTorch's repr of the layer's arguments. */
    @Override
    public String toString() {
        return LayerInit.convRepr(inChannels, outChannels, kernelSize, stride, padding, outputPadding, groups, bias,
                dilation);
    }
}
