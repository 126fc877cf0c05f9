package dev.jtorch.nn;

import dev.jtorch.nn.functional.F;

/**
 * Elementwise {@code x} for {@code x >= 0} and {@code negativeSlope * x} below, as PyTorch's
 * {@code nn.LeakyReLU}; any shape, no parameters.
 */
public final class LeakyReLU extends ElementwiseActivation {
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
        super(x -> F.leakyRelu(x, negativeSlope), "negative_slope=" + Layers.number(negativeSlope));
        this.negativeSlope = LayerInit.finite(negativeSlope, "LeakyReLU", "negative slope");
    }

    /** The slope for negative inputs. */
    public double negativeSlope() {
        return negativeSlope;
    }
}
