package dev.jtorch.nn;

import dev.jtorch.nn.functional.F;
import dev.jtorch.nn.functional.Reduction;
import dev.jtorch.tensor.Tensor;

/**
 * Binary cross-entropy between probabilities and targets, as PyTorch's {@code nn.BCELoss}:
 * {@code -w (t log p + (1 - t) log(1 - p))}, each log clamped at -100 as PyTorch does. For logits
 * use {@link BCEWithLogitsLoss}, which is numerically safer.
 *
 * <p>Shapes: input (probabilities in [0, 1]) and target of the same shape; output a scalar, or the
 * input's shape with {@link Reduction#NONE}. The optional {@code weight} (broadcast to the input's
 * shape) is the buffer {@code weight}.
 */
public final class BCELoss extends WeightedLoss {

    /** {@code nn.BCELoss()}: no weight, mean. */
    public BCELoss() {
        this(null, Reduction.MEAN);
    }

    /** {@code nn.BCELoss(reduction=...)}. */
    public BCELoss(Reduction reduction) {
        this(null, reduction);
    }

    /**
     * {@code nn.BCELoss(weight, reduction)}.
     *
     * @param weight rescales each element's loss (broadcast to the input), or null; registered as
     *     buffer {@code weight}, sharing the caller's data
     */
    public BCELoss(Tensor weight, Reduction reduction) {
        super(reduction);
        registerWeight(weight);
    }

    /**
     * The loss of {@code input} against {@code target}.
     *
     * @return a scalar, or per-element / per-sample losses with {@code NONE}; owned by the current scope
     * @throws IllegalArgumentException naming both shapes if the target's shape is not the input's
     */
    @Override
    public Tensor forward(Tensor input, Tensor target) {
        checkOpen();
        requireSameShape(input, target);
        return Layers.run(this, () -> F.binaryCrossEntropy(input, target,
                weight() == null ? null : weight().expandAs(target), reduction()));
    }
}
