package dev.jtorch.nn;

import java.util.Objects;

/**
 * A 3-D transposed convolution (the gradient of {@link Conv3d} with respect to its input), as
 * PyTorch's {@code nn.ConvTranspose3d}.
 *
 * <p>Shapes: input {@code [N, C_in, D, H, W]} (or unbatched), output {@code [N, C_out, D_out, H_out, W_out]}
 * with {@code D_out = (D - 1) * sd - 2 pd + dd (kd - 1) + opd + 1}, likewise for H and W. Parameters
 * {@code weight [C_in, C_out/groups, kd, kh, kw]} and {@code bias [C_out]}, initialised as PyTorch
 * does from the default generator. {@code forward(input, outputSize)} picks the output padding for a
 * requested size. The layer owns its parameters until {@link #close()}.
 */
public final class ConvTranspose3d extends ConvTransposeBase<ConvTranspose3dOptions> {
    /** {@code nn.ConvTranspose3d(in, out, k)}. */
    public ConvTranspose3d(long inChannels, long outChannels, long kernelSize) {
        this(new ConvTranspose3dOptions(inChannels, outChannels, kernelSize));
    }

    /** A transposed convolution configured by {@code options}. */
    public ConvTranspose3d(ConvTranspose3dOptions options) {
        super(Objects.requireNonNull(options, "options"), 3, options.inChannels(), options.outChannels(),
                options.kernelSize().toArray(), options.stride().toArray(), options.padding().toArray(),
                options.outputPadding().toArray(), options.groups(), options.bias(), options.dilation().toArray());
    }
}
