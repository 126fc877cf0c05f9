package dev.jtorch.nn;

import dev.jtorch.nn.functional.Reduction;

/**
 * The three-tensor losses with a margin ({@link CosineEmbeddingLoss}, {@link MarginRankingLoss}):
 * the margin checked and kept for {@link #margin()}.
 */
abstract class MarginTripletLoss extends TripletLoss {
    private final double margin;

    MarginTripletLoss(Reduction reduction, double margin, Kernel kernel) {
        super(reduction, "forward(x1, x2, target)", kernel);
        this.margin = LayerInit.finite(margin, getClass().getSimpleName(), "margin");
    }

    /** The margin. */
    public final double margin() {
        return margin;
    }
}
