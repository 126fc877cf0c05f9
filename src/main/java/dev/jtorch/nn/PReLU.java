package dev.jtorch.nn;

import dev.jtorch.TorchException;
import dev.jtorch.nn.functional.F;
import dev.jtorch.tensor.Tensor;

/**
 * A leaky ReLU with a learned negative slope, as PyTorch's {@code nn.PReLU}:
 * {@code max(0, x) + weight * min(0, x)}.
 *
 * <p>Parameter {@code weight [numParameters]}, initialised to {@code init} (0.25 by default), owned
 * by the layer until {@link #close()}. With one parameter the slope is shared by every element;
 * with {@code numParameters = C} each channel (dimension 1 of a batched input, 0 of a 1-D input)
 * has its own.
 */
public final class PReLU extends WeightedLayer {
    private final long numParameters;

    /** {@code nn.PReLU()}: one slope, initially 0.25. */
    public PReLU() {
        this(1, 0.25);
    }

    /**
     * {@code nn.PReLU(num_parameters, init)}.
     *
     * @throws IllegalArgumentException if {@code numParameters} is not positive or {@code init} not finite
     */
    public PReLU(long numParameters, double init) {
        LayerInit.positive(numParameters, "PReLU", "num_parameters");
        LayerInit.finite(init, "PReLU", "init");
        this.numParameters = numParameters;
        registerWeight(true, () -> Tensor.full(new long[] {numParameters}, init));
    }

    /**
     * Applies the activation.
     *
     * @return a tensor of the input's shape, owned by the current scope
     * @throws TorchException naming this layer and the input shape if the channel count does not
     *     match {@code numParameters} (when it is not 1)
     * @throws IllegalStateException if no scope is open or the layer is closed
     */
    @Override
    public Tensor forward(Tensor input) {
        checkOpen();
        if (numParameters != 1) {
            int d = input.dim();
            long channels = d == 0 ? 1 : d == 1 ? input.size(0) : input.size(1);
            if (channels != numParameters) {
                throw new TorchException(this + ": expected " + numParameters + " channels (dimension "
                        + (d <= 1 ? 0 : 1) + "), got input of shape " + input.shape());
            }
        }
        return Layers.run(this, () -> F.prelu(input, weight()));
    }

    /** The number of slopes. */
    public long numParameters() {
        return numParameters;
    }

    @Override
    protected String extraRepr() {
        return "num_parameters=" + numParameters;
    }
}
