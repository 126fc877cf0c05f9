package dev.jtorch.nn;

import dev.jtorch.nn.functional.F;
import dev.jtorch.tensor.Tensor;

/**
 * Elementwise {@code x} for {@code x >= 0} and {@code negativeSlope * x} below, as PyTorch's
 * {@code nn.LeakyReLU}; any shape, no parameters.
 */
public final class LeakyReLU extends Module {
    private final double negativeSlope;

    /** {@code nn.LeakyReLU()}: negative slope 0.01. */
    public LeakyReLU() {
        this(0.01);
    }

    /**
     * The given negative slope.
     *
     * @throws IllegalArgumentException if the slope is not finite
     */
    public LeakyReLU(double negativeSlope) {
        if (!Double.isFinite(negativeSlope)) {
            throw new IllegalArgumentException("LeakyReLU negative slope must be finite, got " + negativeSlope);
        }
        this.negativeSlope = negativeSlope;
    }

    /** Applies the activation; the result belongs to the current scope. */
    @Override
    public Tensor forward(Tensor input) {
        checkOpen();
        return F.leakyRelu(input, negativeSlope);
    }

    /** The slope for negative inputs. */
    public double negativeSlope() {
        return negativeSlope;
    }

    @Override
    protected String extraRepr() {
        return "negative_slope=" + Layers.number(negativeSlope);
    }
}
