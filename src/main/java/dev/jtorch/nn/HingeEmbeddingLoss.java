package dev.jtorch.nn;

import dev.jtorch.nn.functional.F;
import dev.jtorch.nn.functional.Reduction;

/**
 * The hinge embedding loss, as PyTorch's {@code nn.HingeEmbeddingLoss}: {@code x} where the target
 * is 1, {@code max(0, margin - x)} where it is -1 ({@code x} typically a distance).
 *
 * <p>Shapes: input and target (values 1 or -1) of the same shape; output a scalar, or the input's
 * shape with {@link Reduction#NONE}. No parameters.
 */
public final class HingeEmbeddingLoss extends PointwiseLoss {
    private final double margin;

    /** {@code nn.HingeEmbeddingLoss()}: margin 1, mean. */
    public HingeEmbeddingLoss() {
        this(1.0, Reduction.MEAN);
    }

    /**
     * {@code nn.HingeEmbeddingLoss(margin, reduction=...)}.
     *
     * @throws IllegalArgumentException if the margin is not finite
     */
    public HingeEmbeddingLoss(double margin, Reduction reduction) {
        super(reduction, (input, target, r) -> F.hingeEmbeddingLoss(input, target, margin, r));
        this.margin = LayerInit.finite(margin, "HingeEmbeddingLoss", "margin");
    }

    /** The margin for targets of -1. */
    public double margin() {
        return margin;
    }
}
