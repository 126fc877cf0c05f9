package dev.jtorch.nn;

import dev.jtorch.nn.functional.F;
import dev.jtorch.nn.functional.Reduction;

/**
 * The negative log-likelihood of a Gaussian target, as PyTorch's {@code nn.GaussianNLLLoss}:
 * {@code 0.5 (log(max(var, eps)) + (input - target)^2 / max(var, eps))}, plus
 * {@code 0.5 log(2 pi)} with {@code full}.
 *
 * <p>Shapes: input {@code [N, *]}, target of the same shape, var of the same shape or with one
 * dimension of size 1 less (homoscedastic); output a scalar, or {@code [N, *]} with
 * {@link Reduction#NONE}. No parameters. Call
 * {@link #forward(dev.jtorch.tensor.Tensor, dev.jtorch.tensor.Tensor, dev.jtorch.tensor.Tensor)
 * forward(input, target, var)}.
 */
public final class GaussianNLLLoss extends TripletLoss {
    private final boolean full;
    private final double eps;

    /** {@code nn.GaussianNLLLoss()}: not full, eps 1e-6, mean. */
    public GaussianNLLLoss() {
        this(false, 1e-6, Reduction.MEAN);
    }

    /**
     * {@code nn.GaussianNLLLoss(full=..., eps=..., reduction=...)}.
     *
     * @throws IllegalArgumentException if eps is negative or not finite
     */
    public GaussianNLLLoss(boolean full, double eps, Reduction reduction) {
        super(reduction, "forward(input, target, var)", (x, t, v, r) -> F.gaussianNllLoss(x, t, v, full, eps, r));
        this.full = full;
        this.eps = LayerInit.nonNegativeFinite(eps, "GaussianNLLLoss", "eps");
    }

    /** Whether the constant term is added. */
    public boolean full() {
        return full;
    }

    /** The clamp on the variance. */
    public double eps() {
        return eps;
    }
}
