package dev.jtorch.nn;

import dev.jtorch.nn.functional.F;
import dev.jtorch.nn.functional.Reduction;

/**
 * The squared error {@code (input - target)^2}, as PyTorch's {@code nn.MSELoss}.
 *
 * <p>Shapes: input and target of the same shape (broadcast as PyTorch does); output a scalar, or
 * the input's shape with {@link Reduction#NONE}. No parameters.
 */
public final class MSELoss extends PointwiseLoss {
    /** {@code nn.MSELoss()}: the mean over all elements. */
    public MSELoss() {
        this(Reduction.MEAN);
    }

    /** {@code nn.MSELoss(reduction=...)}. */
    public MSELoss(Reduction reduction) {
        super(reduction, F::mseLoss);
    }
}
