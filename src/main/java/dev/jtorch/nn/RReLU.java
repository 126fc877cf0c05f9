package dev.jtorch.nn;

import dev.jtorch.nn.functional.F;
import dev.jtorch.tensor.Tensor;

/**
 * The randomized leaky ReLU, as PyTorch's {@code nn.RReLU}: {@code x} for {@code x >= 0}, else
 * {@code a * x} with {@code a} drawn from U(lower, upper) per element in training mode (from the
 * default generator) and {@code (lower + upper) / 2} in eval mode. Any shape, no parameters.
 */
public final class RReLU extends Module {
    private final double lower;
    private final double upper;

    /** {@code nn.RReLU()}: lower 1/8, upper 1/3. */
    public RReLU() {
        this(1.0 / 8, 1.0 / 3);
    }

    /**
     * {@code nn.RReLU(lower, upper)}.
     *
     * @throws IllegalArgumentException if a bound is not finite or {@code lower > upper}
     */
    public RReLU(double lower, double upper) {
        LayerInit.finite(lower, "RReLU", "lower");
        LayerInit.finite(upper, "RReLU", "upper");
        if (lower > upper) {
            throw new IllegalArgumentException("RReLU: lower (" + lower + ") must not exceed upper (" + upper + ")");
        }
        this.lower = lower;
        this.upper = upper;
    }

    /**
     * Applies the activation; random slopes in training mode, their mean in eval mode.
     *
     * @return a tensor of the input's shape, owned by the current scope
     * @throws IllegalStateException if no scope is open or the layer is closed
     */
    @Override
    public Tensor forward(Tensor input) {
        checkOpen();
        boolean training = isTraining();
        return Layers.run(this, () -> F.rrelu(input, lower, upper, training));
    }

    /** The lower bound of the slope. */
    public double lower() {
        return lower;
    }

    /** The upper bound of the slope. */
    public double upper() {
        return upper;
    }

    @Override
    protected String extraRepr() {
        return "lower=" + Layers.number(lower) + ", upper=" + Layers.number(upper);
    }
}
