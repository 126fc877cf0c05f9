package dev.jtorch.nn;

import dev.jtorch.nn.functional.F;
import dev.jtorch.tensor.Tensor;

/**
 * The exponential linear unit, as PyTorch's {@code nn.ELU}: {@code x} for {@code x > 0}, else
 * {@code alpha * (exp(x) - 1)}; any shape, no parameters.
 */
public final class ELU extends Module {
    private final double alpha;

    /** {@code nn.ELU()}: alpha 1.0. */
    public ELU() {
        this(1.0);
    }

    /**
     * {@code nn.ELU(alpha)}.
     *
     * @throws IllegalArgumentException if alpha is not finite
     */
    public ELU(double alpha) {
        if (!Double.isFinite(alpha)) {
            throw new IllegalArgumentException("ELU alpha must be finite, got " + alpha);
        }
        this.alpha = alpha;
    }

    /**
     * Applies the activation elementwise.
     *
     * @return a tensor of the input's shape, owned by the current scope
     * @throws IllegalStateException if no scope is open or the layer is closed
     */
    @Override
    public Tensor forward(Tensor input) {
        checkOpen();
        return F.elu(input, alpha);
    }

    /** The negative saturation value. */
    public double alpha() {
        return alpha;
    }

    @Override
    protected String extraRepr() {
        return "alpha=" + Layers.number(alpha);
    }
}
