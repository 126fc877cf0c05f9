package dev.jtorch.nn;

import dev.jtorch.nn.functional.F;
import dev.jtorch.nn.functional.Reduction;
import dev.jtorch.tensor.Tensor;

/**
 * The multi-class hinge loss, as PyTorch's {@code nn.MultiMarginLoss}: for each sample with target
 * class {@code y}, {@code sum over i != y of (w[y] max(0, margin - x[y] + x[i]))^p / C}.
 *
 * <p>Shapes: input {@code [N, C]} or {@code [C]}, target {@code [N]} (or a scalar) of class indices,
 * int64; output a scalar, or {@code [N]} with {@link Reduction#NONE}. The optional {@code weight}
 * ({@code [C]}) is the buffer {@code weight}.
 */
public final class MultiMarginLoss extends WeightedLoss {
    private final long p;
    private final double margin;

    /** {@code nn.MultiMarginLoss()}: p 1, margin 1, no weight, mean. */
    public MultiMarginLoss() {
        this(1, 1.0, null, Reduction.MEAN);
    }

    /**
     * {@code nn.MultiMarginLoss(p, margin, weight, reduction=...)}.
     *
     * @param p 1 or 2
     * @param weight one factor per class, or null; registered as buffer {@code weight}, sharing the
     *     caller's data
     * @throws IllegalArgumentException if {@code p} is not 1 or 2, the margin is not finite, or the
     *     weight is not 1-D
     */
    public MultiMarginLoss(long p, double margin, Tensor weight, Reduction reduction) {
        super(reduction);
        if (p != 1 && p != 2) {
            throw new IllegalArgumentException("MultiMarginLoss: only p == 1 and p == 2 are supported, got " + p);
        }
        this.p = p;
        this.margin = LayerInit.finite(margin, "MultiMarginLoss", "margin");
        registerWeight(requireVector(weight, "MultiMarginLoss", "weight"));
    }

    /**
     * The loss of {@code input} against the class indices {@code target}.
     *
     * @return a scalar, or per-sample losses with {@code NONE}; owned by the current scope
     * @throws dev.jtorch.TorchException naming the loss and the shapes if they do not fit
     */
    @Override
    public Tensor forward(Tensor input, Tensor target) {
        checkOpen();
        return Layers.run(this, () -> F.multiMarginLoss(input, target, (double) p, margin, weight(), reduction()));
    }

    /** The exponent, 1 or 2. */
    public long p() {
        return p;
    }

    /** The margin. */
    public double margin() {
        return margin;
    }
}
