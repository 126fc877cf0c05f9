package dev.jtorch.nn;

import dev.jtorch.nn.functional.F;
import dev.jtorch.tensor.Tensor;
import java.util.Arrays;

/**
 * Layer normalisation over the last {@code normalizedShape.length} dimensions, as PyTorch's
 * {@code nn.LayerNorm}: {@code y = (x - mean) / sqrt(var + eps) * weight + bias}, with the biased
 * variance.
 *
 * <p>Shapes: input {@code [*, normalizedShape...]}, output the same; parameters (when
 * {@code elementwiseAffine}) {@code weight} initialised to ones and {@code bias} (when {@code bias})
 * to zeros, both of shape {@code normalizedShape}.
 */
public final class LayerNorm extends AffineLayer {
    private final long[] normalizedShape;
    private final double eps;

    /** {@code nn.LayerNorm(normalizedShape)}: eps 1e-5, affine with bias. */
    public LayerNorm(long... normalizedShape) {
        this(normalizedShape, 1e-5, true, true);
    }

    /** {@code nn.LayerNorm(normalizedShape, eps)}. */
    public LayerNorm(long[] normalizedShape, double eps) {
        this(normalizedShape, eps, true, true);
    }

    /**
     * {@code nn.LayerNorm(normalized_shape, eps, elementwise_affine, bias)}.
     *
     * @throws IllegalArgumentException if {@code normalizedShape} is empty or has a non-positive size
     */
    public LayerNorm(long[] normalizedShape, double eps, boolean elementwiseAffine, boolean bias) {
        if (normalizedShape == null || normalizedShape.length == 0) {
            throw new IllegalArgumentException("LayerNorm: normalizedShape must name at least one dimension");
        }
        for (long s : normalizedShape) {
            if (s <= 0) {
                throw new IllegalArgumentException("LayerNorm: normalizedShape sizes must be positive, got "
                        + Arrays.toString(normalizedShape));
            }
        }
        this.normalizedShape = normalizedShape.clone();
        this.eps = eps;
        long[] shape = this.normalizedShape;
        registerWeightAndBias(elementwiseAffine, () -> Tensor.ones(shape), elementwiseAffine && bias,
                () -> Tensor.zeros(shape));
    }

    /**
     * Normalises {@code input} over its last dimensions.
     *
     * @return a tensor of {@code input}'s shape, owned by the current scope
     * @throws IllegalArgumentException if {@code input}'s shape does not end in {@code normalizedShape}
     */
    @Override
    public Tensor forward(Tensor input) {
        checkOpen();
        if (!Layers.endsWith(input, normalizedShape)) {
            throw new IllegalArgumentException("LayerNorm: input of shape " + input.shape() + " must end in "
                    + Arrays.toString(normalizedShape));
        }
        return F.layerNorm(input, normalizedShape, weight(), bias(), eps);
    }

    /** The normalised trailing shape (a copy). */
    public long[] normalizedShape() {
        return normalizedShape.clone();
    }

    /** The variance epsilon. */
    public double eps() {
        return eps;
    }

    @Override
    protected String extraRepr() {
        return LayerInit.tuple(normalizedShape) + ", eps=" + Layers.number(eps) + ", elementwise_affine="
                + Layers.bool(hasWeight());
    }
}
