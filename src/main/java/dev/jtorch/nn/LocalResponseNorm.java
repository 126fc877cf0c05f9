package dev.jtorch.nn;

import dev.jtorch.nn.functional.F;
import dev.jtorch.tensor.Tensor;

/**
 * Local response normalisation across channels, as PyTorch's {@code nn.LocalResponseNorm}:
 * {@code x / (k + alpha / size * sum of x^2 over size neighbouring channels)^beta}.
 *
 * <p>Shapes: input {@code [N, C, *]} (at least 3-D), output the same. No parameters.
 */
public final class LocalResponseNorm extends Module {
    private final long size;
    private final double alpha;
    private final double beta;
    private final double k;

    /** {@code nn.LocalResponseNorm(size)}: alpha 1e-4, beta 0.75, k 1. */
    public LocalResponseNorm(long size) {
        this(size, 1e-4, 0.75, 1.0);
    }

    /**
     * {@code nn.LocalResponseNorm(size, alpha, beta, k)}.
     *
     * @throws IllegalArgumentException if {@code size} is not positive or a factor is not finite
     */
    public LocalResponseNorm(long size, double alpha, double beta, double k) {
        this.size = LayerInit.positive(size, "LocalResponseNorm", "size");
        this.alpha = LayerInit.finite(alpha, "LocalResponseNorm", "alpha");
        this.beta = LayerInit.finite(beta, "LocalResponseNorm", "beta");
        this.k = LayerInit.finite(k, "LocalResponseNorm", "k");
    }

    /**
     * Normalises across channels.
     *
     * @return a tensor of the input's shape, owned by the current scope
     * @throws dev.jtorch.TorchException naming this layer if the input has fewer than 3 dimensions
     * @throws IllegalStateException if no scope is open or the layer is closed
     */
    @Override
    public Tensor forward(Tensor input) {
        checkOpen();
        return Layers.run(this, () -> F.localResponseNorm(input, size, alpha, beta, k));
    }

    /** Neighbouring channels summed over. */
    public long size() {
        return size;
    }

    @Override
    protected String extraRepr() {
        return size + ", alpha=" + Layers.number(alpha) + ", beta=" + Layers.number(beta) + ", k=" + Layers.number(k);
    }
}
