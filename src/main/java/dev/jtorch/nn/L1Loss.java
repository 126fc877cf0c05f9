package dev.jtorch.nn;

import dev.jtorch.nn.functional.F;
import dev.jtorch.nn.functional.Reduction;

/**
 * The absolute error {@code |input - target|}, as PyTorch's {@code nn.L1Loss}.
 *
 * <p>Shapes: input and target of the same shape (broadcast as PyTorch does); output a scalar, or
 * the input's shape with {@link Reduction#NONE}. No parameters.
 */
public final class L1Loss extends PointwiseLoss {
    /** {@code nn.L1Loss()}: the mean over all elements. */
    public L1Loss() {
        this(Reduction.MEAN);
    }

    /** {@code nn.L1Loss(reduction=...)}. */
    public L1Loss(Reduction reduction) {
        super(reduction, F::l1Loss);
    }
}
