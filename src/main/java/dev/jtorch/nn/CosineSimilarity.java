package dev.jtorch.nn;

import dev.jtorch.nn.functional.F;
import dev.jtorch.tensor.Tensor;

/**
 * The cosine similarity of two tensors along a dimension, as PyTorch's {@code nn.CosineSimilarity}:
 * {@code x1 . x2 / max(||x1|| ||x2||, eps)}.
 *
 * <p>Shapes: {@code x1} and {@code x2} broadcastable to a common shape; output that shape without
 * {@code dim}. No parameters. Call {@link #forward(Tensor, Tensor) forward(x1, x2)}.
 */
public final class CosineSimilarity extends Module {
    private final long dim;
    private final double eps;

    /** {@code nn.CosineSimilarity()}: dim 1, eps 1e-8. */
    public CosineSimilarity() {
        this(1, 1e-8);
    }

    /**
     * {@code nn.CosineSimilarity(dim, eps)}.
     *
     * @throws IllegalArgumentException if eps is negative or not finite
     */
    public CosineSimilarity(long dim, double eps) {
        this.dim = dim;
        this.eps = LayerInit.nonNegativeFinite(eps, "CosineSimilarity", "eps");
    }

    /**
     * The comparison of {@code x1} and {@code x2}.
     *
     * @return a tensor owned by the current scope
     * @throws dev.jtorch.TorchException naming this layer and the shapes if they do not broadcast
     * @throws IllegalStateException if no scope is open or the layer is closed
     */
    public Tensor forward(Tensor x1, Tensor x2) {
        checkOpen();
        return Layers.run(this, () -> F.cosineSimilarity(x1, x2, dim, eps));
    }

    /**
     * Always throws: this layer compares two tensors.
     *
     * @throws UnsupportedOperationException naming the overload to call
     */
    @Override
    public Tensor forward(Tensor input) {
        throw new UnsupportedOperationException("CosineSimilarity takes two tensors: call forward(x1, x2)");
    }

    /** The dimension compared along. */
    public long dim() {
        return dim;
    }

    /** The lower bound of the norms' product. */
    public double eps() {
        return eps;
    }
}
