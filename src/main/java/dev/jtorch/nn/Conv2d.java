package dev.jtorch.nn;

import dev.jtorch.TorchException;
import dev.jtorch.internal.NativeFunctional;
import dev.jtorch.internal.NativeModule;
import dev.jtorch.internal.PackedConvWeight;
import dev.jtorch.tensor.access.TensorAccess;
import dev.jtorch.tensor.Tensor;

/**
 * A 2-D convolution over images, as PyTorch's {@code nn.Conv2d}.
 *
 * <p>Shapes: input {@code [N, C_in, H, W]} (or unbatched {@code [C_in, H, W]}), output
 * {@code [N, C_out, H_out, W_out]} with {@code H_out = (H + 2*ph - dh*(kh-1) - 1) / sh + 1} (floor)
 * and likewise for {@code W_out}. Parameters {@code weight [C_out, C_in/groups, kh, kw]} and
 * {@code bias [C_out]}, initialised as PyTorch does (kaiming-uniform with {@code a = sqrt(5)}, so
 * {@code |w| <= 1/sqrt(fan_in)} with {@code fan_in = C_in/groups*kh*kw}, and bias
 * U(-1/sqrt(fan_in), 1/sqrt(fan_in)), from the default generator) by libtorch's own
 * {@code torch::nn::Conv2d}. The layer owns its parameters until {@link #close()}.
 *
 * <pre>{@code
 * Conv2d conv1 = new Conv2d(1, 32, 3);                                         // as nn.Conv2d(1, 32, 3)
 * Conv2d conv2 = new Conv2d(new Conv2dOptions(32, 64, 3).withPadding(1).withBias(false));
 * }</pre>
 */
public final class Conv2d extends ConvBase<Conv2dOptions> {
    /** The weight reordered once for oneDNN inference; rebuilt when the weight changes. */
    private final PackedConvWeight packed = new PackedConvWeight();

    /**
     * A square {@code kernelSize} convolution with stride 1, no padding and a bias.
     *
     * @throws IllegalArgumentException if a size is not positive
     */
    public Conv2d(long inChannels, long outChannels, long kernelSize) {
        this(new Conv2dOptions(inChannels, outChannels, kernelSize));
    }

    /**
     * A square convolution with the given stride, no padding and a bias.
     *
     * @throws IllegalArgumentException if a size is not positive
     */
    public Conv2d(long inChannels, long outChannels, long kernelSize, long stride) {
        this(new Conv2dOptions(inChannels, outChannels, kernelSize).withStride(stride));
    }

    /**
     * A square convolution with the given stride and zero-padding, and a bias.
     *
     * @throws IllegalArgumentException if a size is out of range
     */
    public Conv2d(long inChannels, long outChannels, long kernelSize, long stride, long padding) {
        this(new Conv2dOptions(inChannels, outChannels, kernelSize).withStride(stride).withPadding(padding));
    }

    /** A convolution configured by {@code options}. */
    public Conv2d(Conv2dOptions options) {
        super(options);
        adoptWeightAndBias(NativeModule.conv2d(options.inChannels(), options.outChannels(),
                options.kernelSize().toArray(), options.stride().toArray(), options.padding().toArray(),
                options.dilation().toArray(), options.groups(), options.bias()), true, options.bias());
    }

    /**
     * Applies the convolution.
     *
     * @return {@code [N, C_out, H_out, W_out]} (or {@code [C_out, H_out, W_out]}), owned by the current scope
     * @throws TorchException naming this layer, the expected channels and the input shape if the
     *     input is not 3-D/4-D, has the wrong channel count or is smaller than the (dilated) kernel;
     *     or naming the dtypes if they differ from the weight's
     * @throws IllegalStateException if no scope is open or the layer is closed
     */
    @Override
    public Tensor forward(Tensor input) {
        checkOpen();
        Conv2dOptions options = options();
        Layers.requireImage(this, input);
        int d = input.dim();
        long c = input.size(d - 3);
        if (c != options.inChannels()) {
            throw new TorchException(this + ": expected input with " + options.inChannels() + " channels ([N, "
                    + options.inChannels() + ", H, W] or [" + options.inChannels() + ", H, W]), got input of shape "
                    + input.shape());
        }
        long[] k = options.kernelSize().toArray();
        long[] pad = options.padding().toArray();
        long[] dil = options.dilation().toArray();
        for (int i = 0; i < 2; i++) {
            long padded = input.size(d - 2 + i) + 2 * pad[i];
            long effective = dil[i] * (k[i] - 1) + 1;
            if (padded < effective) {
                throw new TorchException(this + ": input of shape " + input.shape() + " is smaller than the kernel: padded "
                        + (i == 0 ? "height " : "width ") + padded + " < effective kernel " + effective);
            }
        }
        long[] stride = options.stride().toArray();
        Tensor b = bias();
        // F.conv2d's path, with this layer's reordered weight for oneDNN inference (internal.OneDnn)
        return Layers.run(this, () -> TensorAccess.scoped(NativeFunctional.conv2d(TensorAccess.handle(input),
                TensorAccess.handle(weight()), b == null ? null : TensorAccess.handle(b), stride, pad, dil,
                options.groups(), packed), "conv2d"));
    }

    /** Input channels. */
    public long inChannels() {
        return options().inChannels();
    }

    /** Output channels. */
    public long outChannels() {
        return options().outChannels();
    }

    @Override
    void closeCaches() {
        packed.close();
    }
}
