package dev.jtorch.nn;

import dev.jtorch.nn.functional.F;
import dev.jtorch.nn.functional.Reduction;
import dev.jtorch.tensor.Tensor;

/**
 * The negative log-likelihood of class indices under log-probabilities, as PyTorch's
 * {@code nn.NLLLoss} (pair it with {@link LogSoftmax}; for logits use {@link CrossEntropyLoss}).
 *
 * <p>Shapes: input {@code [N, C]} or {@code [N, C, d...]} (or {@code [C]}), target int64
 * {@code [N]} / {@code [N, d...]} with values in {@code [0, C)} or {@code ignoreIndex}; output a
 * scalar, or {@code [N, d...]} with {@link Reduction#NONE}. With {@code MEAN}, the losses are
 * averaged over the weights of the non-ignored targets. The optional class {@code weight [C]} is
 * the buffer {@code weight}.
 */
public final class NLLLoss extends WeightedLoss {
    private final long ignoreIndex;

    /** {@code nn.NLLLoss()}: no weights, ignore index -100, mean. */
    public NLLLoss() {
        this(null, -100, Reduction.MEAN);
    }

    /** {@code nn.NLLLoss(reduction=...)}. */
    public NLLLoss(Reduction reduction) {
        this(null, -100, reduction);
    }

    /**
     * {@code nn.NLLLoss(weight, ignore_index=..., reduction=...)}.
     *
     * @param weight per-class weights {@code [C]}, or null
     * @throws IllegalArgumentException if the weight is not 1-D
     */
    public NLLLoss(Tensor weight, long ignoreIndex, Reduction reduction) {
        super(reduction);
        registerWeight(requireVector(weight, "NLLLoss", "weight"));
        this.ignoreIndex = ignoreIndex;
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
        return Layers.run(this, () -> F.nllLoss(input, target, weight(), ignoreIndex, reduction()));
    }

    /** The target value that contributes nothing. */
    public long ignoreIndex() {
        return ignoreIndex;
    }
}
