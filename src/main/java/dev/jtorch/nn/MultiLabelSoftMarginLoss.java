package dev.jtorch.nn;

import dev.jtorch.nn.functional.F;
import dev.jtorch.nn.functional.Reduction;
import dev.jtorch.tensor.Tensor;

/**
 * The multi-label one-versus-all loss, as PyTorch's {@code nn.MultiLabelSoftMarginLoss}: the mean
 * over classes of the binary cross-entropy of {@code sigmoid(x)} against a 0/1 target, each class
 * weighed by {@code weight}.
 *
 * <p>Shapes: input and target {@code [N, C]}; output a scalar, or {@code [N]} with
 * {@link Reduction#NONE}. The optional {@code weight} ({@code [C]}) is the buffer {@code weight}.
 */
public final class MultiLabelSoftMarginLoss extends WeightedLoss {
    /** {@code nn.MultiLabelSoftMarginLoss()}: no weight, mean. */
    public MultiLabelSoftMarginLoss() {
        this(null, Reduction.MEAN);
    }

    /**
     * {@code nn.MultiLabelSoftMarginLoss(weight, reduction=...)}.
     *
     * @param weight one factor per class, or null; registered as buffer {@code weight}, sharing the
     *     caller's data
     * @throws IllegalArgumentException if the weight is not 1-D
     */
    public MultiLabelSoftMarginLoss(Tensor weight, Reduction reduction) {
        super(reduction);
        registerWeight(requireVector(weight, "MultiLabelSoftMarginLoss", "weight"));
    }

    /**
     * The loss of {@code input} against the 0/1 {@code target}.
     *
     * @return a scalar, or per-sample losses with {@code NONE}; owned by the current scope
     * @throws IllegalArgumentException naming both shapes if the target's shape is not the input's
     */
    @Override
    public Tensor forward(Tensor input, Tensor target) {
        checkOpen();
        requireSameShape(input, target);
        return Layers.run(this, () -> F.multilabelSoftMarginLoss(input, target, weight(), reduction()));
    }
}
