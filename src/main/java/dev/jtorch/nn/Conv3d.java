package dev.jtorch.nn;

import dev.jtorch.TorchException;
import dev.jtorch.nn.functional.F;
import dev.jtorch.tensor.Tensor;
import java.util.Objects;

/**
 * A 3-D convolution over volumes or clips, as PyTorch's {@code nn.Conv3d}.
 *
 * <p>Shapes: input {@code [N, C_in, D, H, W]} (or unbatched {@code [C_in, D, H, W]}), output
 * {@code [N, C_out, D_out, H_out, W_out]} with {@code D_out = (D + 2pd - dd(kd-1) - 1) / sd + 1}
 * (floor), likewise for H and W. Parameters {@code weight [C_out, C_in/groups, kd, kh, kw]} and
 * {@code bias [C_out]}, initialised as PyTorch does (kaiming-uniform with {@code a = sqrt(5)}, bias
 * U(-1/sqrt(fan_in), 1/sqrt(fan_in)), {@code fan_in = C_in/groups*kd*kh*kw}) from the default
 * generator. The layer owns its parameters until {@link #close()}.
 *
 * <pre>{@code
 * Conv3d conv = new Conv3d(3, 64, 3);                                      // nn.Conv3d(3, 64, 3)
 * Conv3d stem = new Conv3d(new Conv3dOptions(3, 64, new Size3d(3, 7, 7)).withStride(1, 2, 2).withPadding(1, 3, 3));
 * }</pre>
 */
public final class Conv3d extends ConvBase<Conv3dOptions> {
    /**
     * {@code nn.Conv3d(in, out, k)}: stride 1, no padding, with a bias.
     *
     * @throws IllegalArgumentException if a size is not positive
     */
    public Conv3d(long inChannels, long outChannels, long kernelSize) {
        this(new Conv3dOptions(inChannels, outChannels, kernelSize));
    }

    /** A convolution configured by {@code options}. */
    public Conv3d(Conv3dOptions options) {
        super(options);
        long inPerGroup = options.inChannels() / options.groups();
        Size3d k = options.kernelSize();
        long fanIn = inPerGroup * k.depth() * k.height() * k.width();
        long[] shape = {options.outChannels(), inPerGroup, k.depth(), k.height(), k.width()};
        registerWeightAndBias(true, () -> LayerInit.kaimingUniformSqrt5(shape, fanIn), options.bias(),
                () -> LayerInit.uniformBias(options.outChannels(), fanIn));
    }

    /**
     * Applies the convolution.
     *
     * @return {@code [N, C_out, D_out, H_out, W_out]} (or unbatched), owned by the current scope
     * @throws TorchException naming this layer and the input shape if the input is not 4-D/5-D, has
     *     the wrong channel count, or is smaller than the (dilated) kernel after padding
     * @throws IllegalStateException if no scope is open or the layer is closed
     */
    @Override
    public Tensor forward(Tensor input) {
        checkOpen();
        Conv3dOptions o = options();
        int d = input.dim();
        if (d != 4 && d != 5) {
            throw new TorchException(this + ": expected a 5-D [N, C, D, H, W] or 4-D [C, D, H, W] input, got input of shape "
                    + input.shape());
        }
        if (input.size(d - 4) != o.inChannels()) {
            throw new TorchException(this + ": expected input with " + o.inChannels() + " channels, got input of shape "
                    + input.shape());
        }
        Tensor weight = weight();
        Tensor bias = bias();
        return Layers.run(this, () -> F.conv3d(input, weight, bias, o.stride().toArray(), o.padding().toArray(),
                o.dilation().toArray(), o.groups()));
    }
}
