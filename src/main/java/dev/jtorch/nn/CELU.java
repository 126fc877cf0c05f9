package dev.jtorch.nn;

import dev.jtorch.nn.functional.F;

/**
 * The continuously differentiable ELU {@code max(0, x) + min(0, alpha * (exp(x / alpha) - 1))}, as
 * PyTorch's {@code nn.CELU}; any shape, no parameters.
 */
public final class CELU extends ElementwiseActivation {
    private final double alpha;

    /** {@code nn.CELU()}: alpha 1. */
    public CELU() {
        this(1.0);
    }

    /**
     * The given alpha.
     *
     * @throws IllegalArgumentException if alpha is zero or not finite (it divides the input)
     */
    public CELU(double alpha) {
        super(x -> F.celu(x, alpha), "alpha=" + Layers.number(alpha));
        if (alpha == 0 || !Double.isFinite(alpha)) {
            throw new IllegalArgumentException("CELU: alpha must be a finite non-zero number, got " + alpha);
        }
        this.alpha = alpha;
    }

    /** The scale of the negative part. */
    public double alpha() {
        return alpha;
    }
}
