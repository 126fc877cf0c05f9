package dev.jtorch.nn;

import dev.jtorch.nn.functional.F;
import dev.jtorch.nn.functional.Reduction;

/**
 * The triplet margin loss, as PyTorch's {@code nn.TripletMarginLoss}:
 * {@code max(d(a, p) - d(a, n) + margin, 0)} with {@code d} the p-norm distance (plus {@code eps});
 * with {@code swap}, {@code d(a, n)} is replaced by {@code d(p, n)} where that is smaller.
 *
 * <p>Shapes: anchor, positive and negative {@code [N, D]} (or {@code [D]}); output a scalar, or
 * {@code [N]} with {@link Reduction#NONE}. No parameters. Call
 * {@link #forward(dev.jtorch.tensor.Tensor, dev.jtorch.tensor.Tensor, dev.jtorch.tensor.Tensor)
 * forward(anchor, positive, negative)}.
 */
public final class TripletMarginLoss extends TripletLoss {
    private final double margin;
    private final double p;
    private final double eps;
    private final boolean swap;

    /** {@code nn.TripletMarginLoss()}: margin 1, p 2, eps 1e-6, no swap, mean. */
    public TripletMarginLoss() {
        this(1.0, 2.0, 1e-6, false, Reduction.MEAN);
    }

    /**
     * {@code nn.TripletMarginLoss(margin, p, eps, swap, reduction=...)}.
     *
     * @throws IllegalArgumentException if the margin is not positive, {@code p} not positive, or
     *     {@code eps} negative (or any of them not finite)
     */
    public TripletMarginLoss(double margin, double p, double eps, boolean swap, Reduction reduction) {
        super(reduction, "forward(anchor, positive, negative)",
                (a, pos, neg, r) -> F.tripletMarginLoss(a, pos, neg, margin, p, eps, swap, r));
        if (!(margin > 0) || Double.isInfinite(margin)) {
            throw new IllegalArgumentException("TripletMarginLoss: margin must be greater than 0, got " + margin);
        }
        if (!(p > 0) || Double.isInfinite(p)) {
            throw new IllegalArgumentException("TripletMarginLoss: p must be a positive finite number, got " + p);
        }
        this.margin = margin;
        this.p = p;
        this.eps = LayerInit.nonNegativeFinite(eps, "TripletMarginLoss", "eps");
        this.swap = swap;
    }

    /** The margin. */
    public double margin() {
        return margin;
    }

    /** The norm's degree. */
    public double p() {
        return p;
    }

    /** Added for numerical stability inside the distance. */
    public double eps() {
        return eps;
    }

    /** Whether the distance swap is used. */
    public boolean swap() {
        return swap;
    }
}
