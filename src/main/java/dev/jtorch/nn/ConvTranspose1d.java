package dev.jtorch.nn;

import java.util.Objects;

/**
 * A 1-D transposed convolution ("deconvolution"), as PyTorch's {@code nn.ConvTranspose1d}: the
 * gradient of {@link Conv1d} with respect to its input.
 *
 * <p>Shapes: input {@code [N, C_in, L]} (or {@code [C_in, L]}), output {@code [N, C_out, L_out]}
 * with {@code L_out = (L-1)*s - 2*p + d*(k-1) + output_padding + 1}. Parameters
 * {@code weight [C_in, C_out/groups, k]} and {@code bias [C_out]}, initialised as PyTorch does
 * (kaiming-uniform with {@code a = sqrt(5)}, fan-in {@code C_out/groups*k}, and bias
 * U(-1/sqrt(fan_in), 1/sqrt(fan_in))) from the default generator. {@code forward(input, outputSize)}
 * picks the output length as PyTorch's {@code forward(input, output_size)}. The layer owns its
 * parameters until {@link #close()}.
 */
public final class ConvTranspose1d extends ConvTransposeBase<ConvTranspose1dOptions> {

    /** {@code nn.ConvTranspose1d(in, out, k)}. */
    public ConvTranspose1d(long inChannels, long outChannels, long kernelSize) {
        this(new ConvTranspose1dOptions(inChannels, outChannels, kernelSize));
    }

    /** {@code nn.ConvTranspose1d(in, out, k, stride, padding)}. */
    public ConvTranspose1d(long inChannels, long outChannels, long kernelSize, long stride, long padding) {
        this(new ConvTranspose1dOptions(inChannels, outChannels, kernelSize).withStride(stride).withPadding(padding));
    }

    /** A transposed convolution configured by {@code options}. */
    public ConvTranspose1d(ConvTranspose1dOptions options) {
        super(Objects.requireNonNull(options, "options"), 1, options.inChannels(), options.outChannels(),
                new long[] {options.kernelSize()}, new long[] {options.stride()}, new long[] {options.padding()},
                new long[] {options.outputPadding()}, options.groups(), options.bias(), new long[] {options.dilation()});
    }
}
