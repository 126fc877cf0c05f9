package dev.jtorch.nn;

import dev.jtorch.nn.functional.CrossEntropyOptions;
import dev.jtorch.nn.functional.F;
import dev.jtorch.nn.functional.Reduction;
import dev.jtorch.tensor.Tensor;

/**
 * Cross-entropy between logits and class indices or class probabilities, as PyTorch's
 * {@code nn.CrossEntropyLoss}: log-softmax and {@link NLLLoss} in one, with optional label smoothing.
 *
 * <p>Shapes: input (logits, not probabilities) {@code [N, C]} or {@code [N, C, d...]} (or
 * {@code [C]}); target int64 class indices {@code [N]} / {@code [N, d...]}, or class probabilities of
 * the input's shape and dtype; output a scalar, or {@code [N, d...]} with {@link Reduction#NONE}.
 * The optional class {@code weight [C]} is the buffer {@code weight}.
 */
public final class CrossEntropyLoss extends WeightedLoss {
    private final long ignoreIndex;
    private final double labelSmoothing;

    /** {@code nn.CrossEntropyLoss()}: no weights, ignore index -100, mean, no smoothing. */
    public CrossEntropyLoss() {
        this(null, -100, Reduction.MEAN, 0.0);
    }

    /** {@code nn.CrossEntropyLoss(reduction=...)}. */
    public CrossEntropyLoss(Reduction reduction) {
        this(null, -100, reduction, 0.0);
    }

    /** A loss with the options of {@link F#crossEntropy(Tensor, Tensor, CrossEntropyOptions)}. */
    public CrossEntropyLoss(CrossEntropyOptions options) {
        this(options.weight(), options.ignoreIndex(), options.reduction(), options.labelSmoothing());
    }

    /**
     * {@code nn.CrossEntropyLoss(weight, ignore_index=..., reduction=..., label_smoothing=...)}.
     *
     * @param weight per-class weights {@code [C]}, or null
     * @throws IllegalArgumentException if the weight is not 1-D or label smoothing is outside [0, 1]
     */
    public CrossEntropyLoss(Tensor weight, long ignoreIndex, Reduction reduction, double labelSmoothing) {
        super(reduction);
        if (!(labelSmoothing >= 0 && labelSmoothing <= 1)) {
            throw new IllegalArgumentException("CrossEntropyLoss label_smoothing must be in [0, 1], got " + labelSmoothing);
        }
        registerWeight(requireVector(weight, "CrossEntropyLoss", "weight"));
        this.ignoreIndex = ignoreIndex;
        this.labelSmoothing = labelSmoothing;
    }

    /**
     * The loss of {@code input} against {@code target}.
     *
     * @return a scalar, or per-element / per-sample losses with {@code NONE}; owned by the current scope
     * @throws dev.jtorch.TorchException naming the loss and both shapes if they do not fit or a
     *     target is out of range
     */
    @Override
    public Tensor forward(Tensor input, Tensor target) {
        checkOpen();
        return Layers.run(this, () -> F.crossEntropy(input, target, weight(), ignoreIndex, reduction(), labelSmoothing));
    }

    /** The target value that contributes nothing. */
    public long ignoreIndex() {
        return ignoreIndex;
    }

    /** The uniform mass mixed into the target distribution. */
    public double labelSmoothing() {
        return labelSmoothing;
    }
}
