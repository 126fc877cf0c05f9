package dev.jtorch.nn;

import dev.jtorch.nn.functional.F;
import dev.jtorch.nn.functional.Reduction;
import dev.jtorch.tensor.Tensor;

/**
 * Binary cross-entropy on logits, as PyTorch's {@code nn.BCEWithLogitsLoss}: a sigmoid and
 * {@link BCELoss} in one numerically stable kernel,
 * {@code -w (pos_weight t log sigmoid(x) + (1 - t) log(1 - sigmoid(x)))}.
 *
 * <p>Shapes: input (logits) and target of the same shape; output a scalar, or the input's shape
 * with {@link Reduction#NONE}. The optional {@code weight} (broadcast to the input) and
 * {@code posWeight} (broadcast over the last dimension: one per class) are the buffers
 * {@code weight} and {@code pos_weight}, in that order.
 */
public final class BCEWithLogitsLoss extends WeightedLoss {
    private final Tensor posWeight;

    /** {@code nn.BCEWithLogitsLoss()}: no weights, mean. */
    public BCEWithLogitsLoss() {
        this(null, Reduction.MEAN, null);
    }

    /** {@code nn.BCEWithLogitsLoss(reduction=...)}. */
    public BCEWithLogitsLoss(Reduction reduction) {
        this(null, reduction, null);
    }

    /**
     * {@code nn.BCEWithLogitsLoss(weight, reduction=..., pos_weight=...)}.
     *
     * @param weight rescales each element's loss, or null
     * @param posWeight the weight of positive examples per class (recall vs precision), or null
     */
    public BCEWithLogitsLoss(Tensor weight, Reduction reduction, Tensor posWeight) {
        super(reduction);
        registerWeight(weight);
        this.posWeight = optionalBuffer("pos_weight", posWeight);
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
        return Layers.run(this, () -> F.binaryCrossEntropyWithLogits(input, target, weight(), reduction(), posWeight));
    }

    /** The positive-class weight buffer, or null. */
    public Tensor posWeight() {
        return whileOpen(posWeight);
    }
}
