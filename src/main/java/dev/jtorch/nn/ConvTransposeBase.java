package dev.jtorch.nn;

import dev.jtorch.TorchException;
import dev.jtorch.nn.functional.F;
import dev.jtorch.tensor.Tensor;
import java.util.Arrays;

/**
 * What {@link ConvTranspose1d} and {@link ConvTranspose2d} share: the parameters, PyTorch's
 * initialisation, the input checks, the {@code output_size} arithmetic and the options record.
 *
 * @param <O> the options record
 */
abstract class ConvTransposeBase<O> extends ConvBase<O> {
    private final int dims;
    private final long inChannels;
    private final long outChannels;
    private final long[] kernelSize;
    private final long[] stride;
    private final long[] padding;
    private final long[] outputPadding;
    private final long[] dilation;
    private final long groups;

    ConvTransposeBase(O options, int dims, long inChannels, long outChannels, long[] kernelSize, long[] stride,
                      long[] padding, long[] outputPadding, long groups, boolean bias, long[] dilation) {
        super(options);
        this.dims = dims;
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        this.kernelSize = kernelSize.clone();
        this.stride = stride.clone();
        this.padding = padding.clone();
        this.outputPadding = outputPadding.clone();
        this.dilation = dilation.clone();
        this.groups = groups;
        long outPerGroup = outChannels / groups;
        // PyTorch's fan-in of a transposed weight [C_in, C_out/groups, k...] is size(1) * prod(k)
        long fanIn = outPerGroup * LayerInit.product(kernelSize);
        long[] shape = new long[dims + 2];
        shape[0] = inChannels;
        shape[1] = outPerGroup;
        System.arraycopy(kernelSize, 0, shape, 2, dims);
        registerWeightAndBias(true, () -> LayerInit.kaimingUniformSqrt5(shape, fanIn), bias,
                () -> LayerInit.uniformBias(outChannels, fanIn));
    }

    /** Validates the sizes shared by both options records; {@code layer} names the layer in messages. */
    static void validate(String layer, long inChannels, long outChannels, long[] kernelSize, long[] stride,
                         long[] padding, long[] outputPadding, long groups, long[] dilation) {
        LayerInit.positive(inChannels, layer, "in_channels");
        LayerInit.positive(outChannels, layer, "out_channels");
        LayerInit.positive(groups, layer, "groups");
        if (inChannels % groups != 0 || outChannels % groups != 0) {
            throw new IllegalArgumentException(layer + " in_channels (" + inChannels + ") and out_channels (" + outChannels
                    + ") must both be divisible by groups (" + groups + ")");
        }
        for (int i = 0; i < kernelSize.length; i++) {
            LayerInit.positive(kernelSize[i], layer, "kernel_size");
            LayerInit.positive(stride[i], layer, "stride");
            LayerInit.nonNegative(padding[i], layer, "padding");
            LayerInit.nonNegative(outputPadding[i], layer, "output_padding");
            LayerInit.positive(dilation[i], layer, "dilation");
            if (outputPadding[i] >= stride[i] && outputPadding[i] >= dilation[i]) {
                throw new IllegalArgumentException(layer + " output_padding " + Arrays.toString(outputPadding)
                        + " must be smaller than either stride " + Arrays.toString(stride) + " or dilation "
                        + Arrays.toString(dilation));
            }
        }
    }

    private void checkInput(Tensor input) {
        int d = input.dim();
        if (d != dims + 1 && d != dims + 2) {
            String sp = dims == 1 ? "L" : dims == 2 ? "H, W" : "D, H, W";
            throw new TorchException(this + ": expected a " + (dims + 2) + "-D [N, C, " + sp + "] or " + (dims + 1)
                    + "-D [C, " + sp + "] input, got input of shape " + input.shape());
        }
        if (input.size(d - dims - 1) != inChannels) {
            throw new TorchException(this + ": expected input with " + inChannels + " channels, got input of shape "
                    + input.shape());
        }
    }

    /**
     * Applies the transposed convolution.
     *
     * @return a tensor owned by the current scope
     * @throws TorchException naming this layer and the input shape if it has the wrong rank or channels
     * @throws IllegalStateException if no scope is open or the layer is closed
     */
    @Override
    public final Tensor forward(Tensor input) {
        checkOpen();
        checkInput(input);
        return run(input, outputPadding);
    }

    /**
     * Applies the transposed convolution with the output's spatial size chosen among those the
     * configuration allows (PyTorch's {@code forward(input, output_size)}): the extra
     * {@code output_padding} is derived from {@code outputSize}, the configured one is ignored.
     *
     * @param outputSize the spatial size ({@code dims} values), or the full output shape
     * @throws IllegalArgumentException naming the allowed range if a size cannot be reached
     * @throws TorchException naming this layer and the input shape if it has the wrong rank or channels
     */
    public final Tensor forward(Tensor input, long... outputSize) {
        checkOpen();
        checkInput(input);
        long[] size = outputSize;
        if (size.length == dims + 1 || size.length == dims + 2) {
            size = Arrays.copyOfRange(size, size.length - dims, size.length);
        }
        if (size.length != dims) {
            throw new IllegalArgumentException(this + ": output_size must have " + dims + " (or " + (dims + 2)
                    + ") elements, got " + Arrays.toString(outputSize));
        }
        long[] op = new long[dims];
        int d = input.dim();
        for (int i = 0; i < dims; i++) {
            long in = input.size(d - dims + i);
            long min = (in - 1) * stride[i] - 2 * padding[i] + dilation[i] * (kernelSize[i] - 1) + 1;
            long max = min + stride[i] - 1;
            if (size[i] < min || size[i] > max) {
                throw new IllegalArgumentException(this + ": requested output size " + Arrays.toString(outputSize)
                        + " for input of shape " + input.shape() + ", but dimension " + i + " must be in [" + min
                        + ", " + max + "]");
            }
            op[i] = size[i] - min;
        }
        return run(input, op);
    }

    private Tensor run(Tensor input, long[] op) {
        Tensor weight = weight(), bias = bias();
        return Layers.run(this, () -> switch (dims) {
            case 1 -> F.convTranspose1d(input, weight, bias, stride[0], padding[0], op[0], groups, dilation[0]);
            case 2 -> F.convTranspose2d(input, weight, bias, stride, padding, op, groups, dilation);
            default -> F.convTranspose3d(input, weight, bias, stride, padding, op, groups, dilation);
        });
    }
}
