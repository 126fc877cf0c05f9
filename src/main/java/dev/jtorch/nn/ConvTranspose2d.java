package dev.jtorch.nn;

import java.util.Objects;

/**
 * A 2-D transposed convolution ("deconvolution"), as PyTorch's {@code nn.ConvTranspose2d}: the
 * gradient of {@link Conv2d} with respect to its input, the usual learned upsampling.
 *
 * <p>Shapes: input {@code [N, C_in, H, W]} (or {@code [C_in, H, W]}), output
 * {@code [N, C_out, H_out, W_out]} with {@code H_out = (H-1)*sh - 2*ph + dh*(kh-1) + oh + 1} and
 * likewise for {@code W_out}. Parameters {@code weight [C_in, C_out/groups, kh, kw]} and
 * {@code bias [C_out]}, initialised as PyTorch does (kaiming-uniform with {@code a = sqrt(5)},
 * fan-in {@code C_out/groups*kh*kw}, and bias U(-1/sqrt(fan_in), 1/sqrt(fan_in))) from the default
 * generator. {@code forward(input, outputSize)} picks the output size as PyTorch's
 * {@code forward(input, output_size)}. The layer owns its parameters until {@link #close()}.
 *
 * <pre>{@code
 * ConvTranspose2d up = new ConvTranspose2d(new ConvTranspose2dOptions(64, 32, 4).withStride(2).withPadding(1)); // 2x
 * }</pre>
 */
public final class ConvTranspose2d extends ConvTransposeBase<ConvTranspose2dOptions> {

    /** {@code nn.ConvTranspose2d(in, out, k)}: a square kernel. */
    public ConvTranspose2d(long inChannels, long outChannels, long kernelSize) {
        this(new ConvTranspose2dOptions(inChannels, outChannels, kernelSize));
    }

    /** {@code nn.ConvTranspose2d(in, out, k, stride, padding)}, square. */
    public ConvTranspose2d(long inChannels, long outChannels, long kernelSize, long stride, long padding) {
        this(new ConvTranspose2dOptions(inChannels, outChannels, kernelSize).withStride(stride).withPadding(padding));
    }

    /** A transposed convolution configured by {@code options}. */
    public ConvTranspose2d(ConvTranspose2dOptions options) {
        super(Objects.requireNonNull(options, "options"), 2, options.inChannels(), options.outChannels(),
                options.kernelSize().toArray(), options.stride().toArray(), options.padding().toArray(),
                options.outputPadding().toArray(), options.groups(), options.bias(), options.dilation().toArray());
    }
}
