package dev.jtorch.nn;

import dev.jtorch.nn.functional.F;
import dev.jtorch.nn.functional.Reduction;

/**
 * The margin ranking loss, as PyTorch's {@code nn.MarginRankingLoss}:
 * {@code max(0, -y (x1 - x2) + margin)}, for a target {@code y} of 1 ({@code x1} should rank higher)
 * or -1.
 *
 * <p>Shapes: {@code x1}, {@code x2} and target of the same shape ({@code [N]} or a scalar); output a
 * scalar, or that shape with {@link Reduction#NONE}. No parameters. Call
 * {@link #forward(dev.jtorch.tensor.Tensor, dev.jtorch.tensor.Tensor, dev.jtorch.tensor.Tensor)
 * forward(x1, x2, target)}.
 */
public final class MarginRankingLoss extends MarginTripletLoss {
    /** {@code nn.MarginRankingLoss()}: margin 0, mean. */
    public MarginRankingLoss() {
        this(0.0, Reduction.MEAN);
    }

    /**
     * {@code nn.MarginRankingLoss(margin, reduction=...)}.
     *
     * @throws IllegalArgumentException if the margin is not finite
     */
    public MarginRankingLoss(double margin, Reduction reduction) {
        super(reduction, margin, (x1, x2, y, r) -> F.marginRankingLoss(x1, x2, y, margin, r));
    }
}
