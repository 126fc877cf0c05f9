package dev.jtorch.nn;

import dev.jtorch.nn.functional.F;

/**
 * The exponential linear unit, as PyTorch's {@code nn.ELU}: {@code x} for {@code x > 0}, else
 * {@code alpha * (exp(x) - 1)}; any shape, no parameters.
 */
public final class ELU extends ElementwiseActivation {
    private final double alpha;

    /** {@code nn.ELU()}: alpha 1.0. */
    public ELU() {
        this(1.0);
    }

    /**
     * {@code nn.ELU(alpha)}.
     *
     * @throws IllegalArgumentException if alpha is not finite
     */
    public ELU(double alpha) {
        super(x -> F.elu(x, alpha), "alpha=" + Layers.number(alpha));
        this.alpha = LayerInit.finite(alpha, "ELU", "alpha");
    }

    /** The negative saturation value. */
    public double alpha() {
        return alpha;
    }
}
