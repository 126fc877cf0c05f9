package dev.jtorch.nn;

import dev.jtorch.nn.functional.F;

/**
 * The Gaussian error linear unit {@code x * Phi(x)}, as PyTorch's {@code nn.GELU}; any shape, no
 * parameters.
 *
 * <p>{@code approximate = "none"} (the default) is the exact erf form; {@code "tanh"} uses
 * {@code 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))}.
 */
public final class GELU extends ElementwiseActivation {
    private final String approximate;

    /** {@code nn.GELU()}: the exact form. */
    public GELU() {
        this("none");
    }

    /**
     * {@code nn.GELU(approximate=...)}.
     *
     * @throws IllegalArgumentException unless {@code approximate} is "none" or "tanh"
     */
    public GELU(String approximate) {
        super(x -> F.gelu(x, approximate), "approximate='" + approximate + "'");
        if (!"none".equals(approximate) && !"tanh".equals(approximate)) {
            throw new IllegalArgumentException("GELU approximate must be \"none\" or \"tanh\", got " + approximate);
        }
        this.approximate = approximate;
    }

    /** "none" or "tanh". */
    public String approximate() {
        return approximate;
    }
}
