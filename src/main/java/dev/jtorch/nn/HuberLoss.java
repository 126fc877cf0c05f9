package dev.jtorch.nn;

import dev.jtorch.nn.functional.F;
import dev.jtorch.nn.functional.Reduction;

/**
 * The Huber loss, as PyTorch's {@code nn.HuberLoss}: {@code 0.5 d^2} where {@code |d| < delta},
 * else {@code delta (|d| - 0.5 delta)}, with {@code d = input - target} ({@link SmoothL1Loss}
 * times {@code delta}).
 *
 * <p>Shapes: input and target of the same shape; output a scalar, or the input's shape with
 * {@link Reduction#NONE}. No parameters.
 */
public final class HuberLoss extends PointwiseLoss {
    private final double delta;

    /** {@code nn.HuberLoss()}: mean, delta 1. */
    public HuberLoss() {
        this(Reduction.MEAN, 1.0);
    }

    /**
     * {@code nn.HuberLoss(reduction, delta)}.
     *
     * @throws IllegalArgumentException if delta is not positive and finite
     */
    public HuberLoss(Reduction reduction, double delta) {
        super(reduction, (input, target, r) -> F.huberLoss(input, target, r, delta));
        if (!(delta > 0) || Double.isInfinite(delta)) {
            throw new IllegalArgumentException("HuberLoss delta must be positive and finite, got " + delta);
        }
        this.delta = delta;
    }

    /** Where the loss turns from quadratic to linear. */
    public double delta() {
        return delta;
    }
}
