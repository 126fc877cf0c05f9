package dev.jtorch.nn;

import dev.jtorch.nn.functional.F;
import dev.jtorch.nn.functional.Reduction;
import dev.jtorch.tensor.Tensor;

/**
 * The Kullback-Leibler divergence, as PyTorch's {@code nn.KLDivLoss}: {@code input} holds
 * log-probabilities, {@code target} probabilities (or log-probabilities with {@code logTarget}); the
 * pointwise loss is {@code t (log t - input)}.
 *
 * <p>{@link Reduction#MEAN} averages over every element, as PyTorch's {@code 'mean'}; the
 * mathematical KL divergence is PyTorch's {@code 'batchmean'} (the sum divided by the batch size):
 * {@link #batchMean(boolean)}. Shapes: input and target of the same shape; output a scalar, or the
 * input's shape with {@link Reduction#NONE}. No parameters.
 */
public final class KLDivLoss extends Loss {
    private final boolean logTarget;
    private final boolean batchMean;

    /** {@code nn.KLDivLoss()}: mean over elements, probability targets. */
    public KLDivLoss() {
        this(Reduction.MEAN, false);
    }

    /** {@code nn.KLDivLoss(reduction=..., log_target=...)}. */
    public KLDivLoss(Reduction reduction, boolean logTarget) {
        this(reduction, logTarget, false);
    }

    private KLDivLoss(Reduction reduction, boolean logTarget, boolean batchMean) {
        super(reduction);
        this.logTarget = logTarget;
        this.batchMean = batchMean;
    }

    /**
     * {@code nn.KLDivLoss(reduction='batchmean', log_target=...)}: the sum divided by the size of
     * the first dimension; {@link #reduction()} reports {@code SUM} and {@link #isBatchMean()} true.
     */
    public static KLDivLoss batchMean(boolean logTarget) {
        return new KLDivLoss(Reduction.SUM, logTarget, true);
    }

    @Override
    public Tensor forward(Tensor input, Tensor target) {
        checkOpen();
        return Layers.run(this, () -> {
            Tensor loss = F.klDiv(input, target, reduction(), logTarget);
            return batchMean && input.dim() != 0 ? loss.div(input.size(0)) : loss;
        });
    }

    /** Whether the target holds log-probabilities. */
    public boolean logTarget() {
        return logTarget;
    }

    /** Whether this is PyTorch's {@code 'batchmean'} reduction. */
    public boolean isBatchMean() {
        return batchMean;
    }
}
