package dev.jtorch.nn;

import dev.jtorch.nn.functional.F;
import dev.jtorch.nn.functional.Reduction;
import dev.jtorch.tensor.Tensor;
import java.util.Objects;
import java.util.function.BinaryOperator;

/**
 * The triplet margin loss with a distance of the caller's choice, as PyTorch's
 * {@code nn.TripletMarginWithDistanceLoss}: {@code max(d(a, p) - d(a, n) + margin, 0)}; with
 * {@code swap}, {@code d(a, n)} is replaced by {@code d(p, n)} where that is smaller.
 *
 * <p>{@code distance} takes two batches and returns one non-negative distance per sample (default:
 * the 2-norm {@link F#pairwiseDistance(Tensor, Tensor)}; e.g. {@code (x, y) -> F.cosineSimilarity(x, y).neg().add(1)}).
 * Shapes: anchor, positive and negative as the distance takes them; output a scalar, or one loss per
 * sample with {@link Reduction#NONE}. No parameters. Call
 * {@link #forward(Tensor, Tensor, Tensor) forward(anchor, positive, negative)}.
 */
public final class TripletMarginWithDistanceLoss extends TripletLoss {
    private final double margin;
    private final boolean swap;

    /** {@code nn.TripletMarginWithDistanceLoss()}: pairwise 2-norm distance, margin 1, no swap, mean. */
    public TripletMarginWithDistanceLoss() {
        this(F::pairwiseDistance, 1.0, false, Reduction.MEAN);
    }

    /**
     * {@code nn.TripletMarginWithDistanceLoss(distance_function, margin, swap, reduction)}.
     *
     * @throws IllegalArgumentException if the margin is not positive and finite
     */
    public TripletMarginWithDistanceLoss(BinaryOperator<Tensor> distance, double margin, boolean swap,
                                         Reduction reduction) {
        super(reduction, "forward(anchor, positive, negative)", (a, p, n, r) -> {
            Tensor negative = distance.apply(a, n);
            if (swap) {
                negative = negative.minimum(distance.apply(p, n));
            }
            Tensor loss = distance.apply(a, p).sub(negative).add(margin).clampMin(0.0);
            return switch (r) {
                case MEAN -> loss.mean();
                case SUM -> loss.sum();
                case NONE -> loss;
            };
        });
        Objects.requireNonNull(distance, "distance");
        if (!(margin > 0) || Double.isInfinite(margin)) {
            throw new IllegalArgumentException("TripletMarginWithDistanceLoss: margin must be greater than 0, got " + margin);
        }
        this.margin = margin;
        this.swap = swap;
    }

    /** The margin. */
    public double margin() {
        return margin;
    }

    /** Whether the distance swap is used. */
    public boolean swap() {
        return swap;
    }
}
