package dev.jtorch.nn;

import dev.jtorch.nn.functional.F;
import dev.jtorch.tensor.Tensor;

/**
 * A smooth ReLU, as PyTorch's {@code nn.Softplus}: {@code log(1 + exp(beta * x)) / beta}, and
 * {@code x} itself where {@code beta * x > threshold} (for numerical stability); any shape, no
 * parameters.
 */
public final class Softplus extends Module {
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
        if (!Double.isFinite(beta) || beta == 0 || !Double.isFinite(threshold)) {
            throw new IllegalArgumentException("Softplus beta must be finite and non-zero and threshold finite, got beta="
                    + beta + ", threshold=" + threshold);
        }
        this.beta = beta;
        this.threshold = threshold;
    }

    /**
     * Applies the activation elementwise.
     *
     * @return a tensor of the input's shape, owned by the current scope
     * @throws IllegalStateException if no scope is open or the layer is closed
     */
    @Override
    public Tensor forward(Tensor input) {
        checkOpen();
        return F.softplus(input, beta, threshold);
    }

    /** The sharpness {@code beta}. */
    public double beta() {
        return beta;
    }

    /** Above {@code beta * x > threshold} the activation is linear. */
    public double threshold() {
        return threshold;
    }

    @Override
    protected String extraRepr() {
        return "beta=" + Layers.number(beta) + ", threshold=" + Layers.number(threshold);
    }
}
