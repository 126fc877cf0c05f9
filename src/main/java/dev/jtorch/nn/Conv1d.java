package dev.jtorch.nn;

import dev.jtorch.TorchException;
import dev.jtorch.nn.functional.F;
import dev.jtorch.tensor.Tensor;
import java.util.Objects;

/**
 * A 1-D convolution over sequences, as PyTorch's {@code nn.Conv1d}.
 *
 * <p>Shapes: input {@code [N, C_in, L]} (or unbatched {@code [C_in, L]}), output
 * {@code [N, C_out, L_out]} with {@code L_out = (L + left + right - d*(k-1) - 1) / s + 1} (floor),
 * where (left, right) is {@link Conv1dOptions#leftRightPadding()}. Parameters
 * {@code weight [C_out, C_in/groups, k]} and {@code bias [C_out]}, initialised as PyTorch does
 * (kaiming-uniform with {@code a = sqrt(5)}, so {@code |w| <= 1/sqrt(fan_in)} with
 * {@code fan_in = C_in/groups*k}, and bias U(-1/sqrt(fan_in), 1/sqrt(fan_in))) from the default
 * generator. The layer owns its parameters until {@link #close()}.
 *
 * <pre>{@code
 * Conv1d conv = new Conv1d(16, 32, 3);                                          // nn.Conv1d(16, 32, 3)
 * Conv1d same = new Conv1d(new Conv1dOptions(16, 32, 4).withPadding("same").withDilation(2));
 * }</pre>
 */
public final class Conv1d extends AffineLayer {
    private final Conv1dOptions options;

    /**
     * {@code nn.Conv1d(in, out, k)}: stride 1, no padding, with a bias.
     *
     * @throws IllegalArgumentException if a size is not positive
     */
    public Conv1d(long inChannels, long outChannels, long kernelSize) {
        this(new Conv1dOptions(inChannels, outChannels, kernelSize));
    }

    /**
     * {@code nn.Conv1d(in, out, k, stride, padding)} with zero padding and a bias.
     *
     * @throws IllegalArgumentException if a size is out of range
     */
    public Conv1d(long inChannels, long outChannels, long kernelSize, long stride, long padding) {
        this(new Conv1dOptions(inChannels, outChannels, kernelSize).withStride(stride).withPadding(padding));
    }

    /** A convolution configured by {@code options}. */
    public Conv1d(Conv1dOptions options) {
        this.options = Objects.requireNonNull(options, "options");
        long inPerGroup = options.inChannels() / options.groups();
        long fanIn = inPerGroup * options.kernelSize();
        long[] shape = {options.outChannels(), inPerGroup, options.kernelSize()};
        registerWeightAndBias(true, () -> LayerInit.kaimingUniformSqrt5(shape, fanIn), options.bias(),
                () -> LayerInit.uniformBias(options.outChannels(), fanIn));
    }

    /**
     * Applies the convolution.
     *
     * @return {@code [N, C_out, L_out]} (or {@code [C_out, L_out]}), owned by the current scope
     * @throws TorchException naming this layer and the input shape if the input is not 2-D/3-D, has
     *     the wrong channel count, or is shorter than the (dilated) kernel after padding
     * @throws IllegalStateException if no scope is open or the layer is closed
     */
    @Override
    public Tensor forward(Tensor input) {
        checkOpen();
        int d = input.dim();
        if (d != 2 && d != 3) {
            throw new TorchException(this + ": expected a 3-D [N, C, L] or 2-D [C, L] input, got input of shape "
                    + input.shape());
        }
        if (input.size(d - 2) != options.inChannels()) {
            throw new TorchException(this + ": expected input with " + options.inChannels() + " channels ([N, "
                    + options.inChannels() + ", L] or [" + options.inChannels() + ", L]), got input of shape " + input.shape());
        }
        long[] lr = options.leftRightPadding();
        long effective = options.dilation() * (options.kernelSize() - 1) + 1;
        if (input.size(d - 1) + lr[0] + lr[1] < effective) {
            throw new TorchException(this + ": input of shape " + input.shape() + " is shorter than the kernel: padded length "
                    + (input.size(d - 1) + lr[0] + lr[1]) + " < effective kernel " + effective);
        }
        long s = options.stride(), dil = options.dilation(), g = options.groups();
        Tensor weight = weight(), bias = bias();
        return Layers.run(this, () -> {
            if (options.paddingMode() != PaddingMode.ZEROS) {
                Tensor padded = F.pad(input, lr, options.paddingMode().pytorchName());
                return F.conv1d(padded, weight, bias, s, 0L, dil, g);
            }
            if (options.paddingName() != null) {
                return F.conv1d(input, weight, bias, s, options.paddingName(), dil, g);
            }
            return F.conv1d(input, weight, bias, s, options.padding(), dil, g);
        });
    }

    /** The configuration. */
    public Conv1dOptions options() {
        return options;
    }

    @Override
    protected String extraRepr() {
        return options.toString();
    }
}
