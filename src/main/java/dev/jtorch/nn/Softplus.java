package dev.jtorch.nn;

import dev.jtorch.nn.functional.F;

/**
 * A smooth ReLU, as PyTorch's {@code nn.Softplus}: {@code log(1 + exp(beta * x)) / beta}, and
 * {@code x} itself where {@code beta * x > threshold} (for numerical stability); any shape, no
 * parameters.
 */
public final class Softplus extends ElementwiseActivation {
    private final double beta;
    private final double threshold;

    /** {@code nn.Softplus()}: beta 1, threshold 20. */
    public Softplus() {
        this(1.0, 20.0);
    }

    /**
     * {@code nn.Softplus(beta, threshold)}.
     *
     * @throws IllegalArgumentException if beta is zero or either value is not finite
     */
    public Softplus(double beta, double threshold) {
        super(x -> F.softplus(x, beta, threshold), "beta=" + Layers.number(beta) + ", threshold=" + Layers.number(threshold));
        this.beta = LayerInit.finite(beta, "Softplus", "beta");
        this.threshold = LayerInit.finite(threshold, "Softplus", "threshold");
        if (beta == 0) {
            throw new IllegalArgumentException("Softplus beta must be non-zero, got " + beta);
        }
    }

    /** The sharpness {@code beta}. */
    public double beta() {
        return beta;
    }

    /** Above {@code beta * x > threshold} the activation is linear. */
    public double threshold() {
        return threshold;
    }
}
