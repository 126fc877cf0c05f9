package dev.jtorch.nn;

import dev.jtorch.nn.functional.F;
import dev.jtorch.nn.functional.Reduction;

/**
 * The cosine embedding loss, as PyTorch's {@code nn.CosineEmbeddingLoss}: {@code 1 - cos(x1, x2)}
 * where the target is 1, {@code max(0, cos(x1, x2) - margin)} where it is -1.
 *
 * <p>Shapes: {@code x1}, {@code x2} {@code [N, D]} (or {@code [D]}), target {@code [N]} (or a
 * scalar) of 1 and -1; output a scalar, or {@code [N]} with {@link Reduction#NONE}. No parameters.
 * Call {@link #forward(dev.jtorch.tensor.Tensor, dev.jtorch.tensor.Tensor, dev.jtorch.tensor.Tensor)
 * forward(x1, x2, target)}.
 */
public final class CosineEmbeddingLoss extends MarginTripletLoss {
    /** {@code nn.CosineEmbeddingLoss()}: margin 0, mean. */
    public CosineEmbeddingLoss() {
        this(0.0, Reduction.MEAN);
    }

    /**
     * {@code nn.CosineEmbeddingLoss(margin, reduction=...)}.
     *
     * @throws IllegalArgumentException if the margin is not finite
     */
    public CosineEmbeddingLoss(double margin, Reduction reduction) {
        super(reduction, margin, (x1, x2, y, r) -> F.cosineEmbeddingLoss(x1, x2, y, margin, r));
    }
}
