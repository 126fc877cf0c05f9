package dev.jtorch.nn;

import dev.jtorch.nn.functional.F;
import dev.jtorch.nn.functional.Reduction;

/**
 * The negative log-likelihood of a Poisson target, as PyTorch's {@code nn.PoissonNLLLoss}:
 * {@code exp(x) - t x} with {@code logInput} (the input is the log-rate), else
 * {@code x - t log(x + eps)}; {@code full} adds Stirling's approximation of {@code log(t!)} for
 * targets above 1.
 *
 * <p>Shapes: input and target of the same shape; output a scalar, or the input's shape with
 * {@link Reduction#NONE}. No parameters.
 */
public final class PoissonNLLLoss extends PointwiseLoss {
    private final boolean logInput;
    private final boolean full;
    private final double eps;

    /** {@code nn.PoissonNLLLoss()}: log input, not full, eps 1e-8, mean. */
    public PoissonNLLLoss() {
        this(true, false, 1e-8, Reduction.MEAN);
    }

    /**
     * {@code nn.PoissonNLLLoss(log_input, full, eps=..., reduction=...)}.
     *
     * @throws IllegalArgumentException if eps is negative or not finite
     */
    public PoissonNLLLoss(boolean logInput, boolean full, double eps, Reduction reduction) {
        super(reduction, (input, target, r) -> F.poissonNllLoss(input, target, logInput, full, eps, r));
        this.logInput = logInput;
        this.full = full;
        this.eps = LayerInit.nonNegativeFinite(eps, "PoissonNLLLoss", "eps");
    }

    /** Whether the input is the log of the rate. */
    public boolean logInput() {
        return logInput;
    }

    /** Whether Stirling's term is added. */
    public boolean full() {
        return full;
    }

    /** Added to the rate before its log when {@code logInput} is false. */
    public double eps() {
        return eps;
    }
}
