package dev.jtorch.nn;

import dev.jtorch.TorchException;
import dev.jtorch.nn.functional.F;
import dev.jtorch.tensor.Tensor;

/**
 * Root-mean-square normalisation, as PyTorch's {@code nn.RMSNorm} (PyTorch 2.4+):
 * {@code y = x / sqrt(mean(x^2) + eps) * weight}, the mean taken over the last
 * {@code normalizedShape.length} dimensions. No bias and no mean subtraction.
 *
 * <p>Shapes: input {@code [*, normalizedShape...]}, output the same. Parameter (with
 * {@code elementwiseAffine}) {@code weight [normalizedShape...]} initialised to ones, owned by the
 * layer until {@link #close()}. {@code eps == null} uses the machine epsilon of the input's dtype
 * ({@code torch.finfo(x.dtype).eps}), as PyTorch.
 */
public final class RMSNorm extends WeightedLayer {
    private final long[] normalizedShape;
    private final Double eps;

    /** {@code nn.RMSNorm(normalizedShape)}: eps from the dtype, with a weight. */
    public RMSNorm(long... normalizedShape) {
        this(normalizedShape, null, true);
    }

    /**
     * {@code nn.RMSNorm(normalizedShape, eps, elementwise_affine)}.
     *
     * @param eps added to the mean square; null for the dtype's machine epsilon
     * @throws IllegalArgumentException if the shape is empty or has a non-positive size, or eps
     *     is negative or not finite
     */
    public RMSNorm(long[] normalizedShape, Double eps, boolean elementwiseAffine) {
        if (normalizedShape == null || normalizedShape.length == 0) {
            throw new IllegalArgumentException("RMSNorm normalized_shape must have at least one dimension");
        }
        for (long d : normalizedShape) {
            LayerInit.positive(d, "RMSNorm", "normalized_shape size");
        }
        if (eps != null && (!(eps >= 0) || Double.isInfinite(eps))) {
            throw new IllegalArgumentException("RMSNorm eps must be finite and non-negative (or null), got " + eps);
        }
        this.normalizedShape = normalizedShape.clone();
        this.eps = eps;
        long[] shape = this.normalizedShape;
        registerWeight(elementwiseAffine, () -> Tensor.ones(shape));
    }

    /**
     * Normalises over the trailing dimensions.
     *
     * @return a tensor of the input's shape, owned by the current scope
     * @throws TorchException naming this layer and the input shape if it does not end in
     *     {@code normalizedShape}
     * @throws IllegalStateException if no scope is open or the layer is closed
     */
    @Override
    public Tensor forward(Tensor input) {
        checkOpen();
        if (!Layers.endsWith(input, normalizedShape)) {
            throw new TorchException(this + ": expected input whose last dimensions are "
                    + java.util.Arrays.toString(normalizedShape) + ", got input of shape " + input.shape());
        }
        return Layers.run(this, () -> F.rmsNorm(input, normalizedShape, weight(), eps));
    }

    /** The normalised trailing shape (a copy). */
    public long[] normalizedShape() {
        return normalizedShape.clone();
    }

    /** The value added to the mean square, or null for the dtype's machine epsilon. */
    public Double eps() {
        return eps;
    }

    @Override
    protected String extraRepr() {
        return LayerInit.tuple(normalizedShape) + ", eps=" + (eps == null ? "None" : Layers.number(eps))
                + ", elementwise_affine=" + Layers.bool(hasWeight());
    }
}
