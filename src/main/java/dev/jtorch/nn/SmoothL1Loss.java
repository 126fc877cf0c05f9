package dev.jtorch.nn;

import dev.jtorch.nn.functional.F;
import dev.jtorch.nn.functional.Reduction;

/**
 * The smooth L1 loss, as PyTorch's {@code nn.SmoothL1Loss}: {@code 0.5 d^2 / beta} where
 * {@code |d| < beta}, else {@code |d| - 0.5 beta}, with {@code d = input - target} (plain L1 for
 * {@code beta = 0}).
 *
 * <p>Shapes: input and target of the same shape; output a scalar, or the input's shape with
 * {@link Reduction#NONE}. No parameters.
 */
public final class SmoothL1Loss extends PointwiseLoss {
    private final double beta;

    /** {@code nn.SmoothL1Loss()}: mean, beta 1. */
    public SmoothL1Loss() {
        this(Reduction.MEAN, 1.0);
    }

    /**
     * {@code nn.SmoothL1Loss(reduction, beta)}.
     *
     * @throws IllegalArgumentException if beta is negative or not finite
     */
    public SmoothL1Loss(Reduction reduction, double beta) {
        super(reduction, (input, target, r) -> F.smoothL1Loss(input, target, r, beta));
        this.beta = LayerInit.nonNegativeFinite(beta, "SmoothL1Loss", "beta");
    }

    /** Where the loss turns from quadratic to linear. */
    public double beta() {
        return beta;
    }
}
