package dev.jtorch.nn;

import dev.jtorch.nn.functional.F;
import dev.jtorch.tensor.Tensor;

/**
 * The p-norm distance between the rows of two tensors, as PyTorch's {@code nn.PairwiseDistance}:
 * {@code ||x1 - x2 + eps||_p} along the last dimension.
 *
 * <p>Shapes: {@code [N, D]} (or {@code [D]}) each, broadcastable; output {@code [N]} (with
 * {@code keepdim}, {@code [N, 1]}). No parameters. Call {@link #forward(Tensor, Tensor) forward(x1, x2)}.
 */
public final class PairwiseDistance extends Module {
    private final double p;
    private final double eps;
    private final boolean keepdim;

    /** {@code nn.PairwiseDistance()}: p 2, eps 1e-6, no keepdim. */
    public PairwiseDistance() {
        this(2.0, 1e-6, false);
    }

    /**
     * {@code nn.PairwiseDistance(p, eps, keepdim)}.
     *
     * @throws IllegalArgumentException if p is negative or NaN, or eps is negative or not finite
     */
    public PairwiseDistance(double p, double eps, boolean keepdim) {
        if (!(p >= 0)) {
            throw new IllegalArgumentException("PairwiseDistance: p must be non-negative, got " + p);
        }
        this.p = p;
        this.eps = LayerInit.nonNegativeFinite(eps, "PairwiseDistance", "eps");
        this.keepdim = keepdim;
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
        return Layers.run(this, () -> F.pairwiseDistance(x1, x2, p, eps, keepdim));
    }

    /**
     * Always throws: this layer compares two tensors.
     *
     * @throws UnsupportedOperationException naming the overload to call
     */
    @Override
    public Tensor forward(Tensor input) {
        throw new UnsupportedOperationException("PairwiseDistance takes two tensors: call forward(x1, x2)");
    }

    /** The norm's degree. */
    public double p() {
        return p;
    }

    /** Added to the difference before the norm. */
    public double eps() {
        return eps;
    }

    /** Whether the reduced dimension is kept. */
    public boolean keepdim() {
        return keepdim;
    }
}
