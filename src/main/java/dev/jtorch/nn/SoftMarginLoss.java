package dev.jtorch.nn;

import dev.jtorch.nn.functional.F;
import dev.jtorch.nn.functional.Reduction;

/**
 * The two-class logistic loss {@code log(1 + exp(-y x))}, as PyTorch's {@code nn.SoftMarginLoss}.
 *
 * <p>Shapes: input and target (values 1 or -1) of the same shape; output a scalar, or the input's
 * shape with {@link Reduction#NONE}. No parameters.
 */
public final class SoftMarginLoss extends PointwiseLoss {
    /** {@code nn.SoftMarginLoss()}: mean. */
    public SoftMarginLoss() {
        this(Reduction.MEAN);
    }

    /** {@code nn.SoftMarginLoss(reduction=...)}. */
    public SoftMarginLoss(Reduction reduction) {
        super(reduction, F::softMarginLoss);
    }
}
