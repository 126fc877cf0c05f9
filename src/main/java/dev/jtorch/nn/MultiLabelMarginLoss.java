package dev.jtorch.nn;

import dev.jtorch.nn.functional.F;
import dev.jtorch.nn.functional.Reduction;

/**
 * The multi-class multi-label hinge loss, as PyTorch's {@code nn.MultiLabelMarginLoss}: for each
 * sample, {@code sum over target classes j and other classes i of max(0, 1 - (x[j] - x[i])) / C}.
 *
 * <p>Shapes: input {@code [N, C]} or {@code [C]}; target of the same shape, int64, holding the
 * sample's target classes first and then -1 (the classes after the first -1 are ignored); output a
 * scalar, or {@code [N]} with {@link Reduction#NONE}. No parameters.
 */
public final class MultiLabelMarginLoss extends PointwiseLoss {
    /** {@code nn.MultiLabelMarginLoss()}: mean. */
    public MultiLabelMarginLoss() {
        this(Reduction.MEAN);
    }

    /** {@code nn.MultiLabelMarginLoss(reduction=...)}. */
    public MultiLabelMarginLoss(Reduction reduction) {
        super(reduction, F::multilabelMarginLoss);
    }
}
