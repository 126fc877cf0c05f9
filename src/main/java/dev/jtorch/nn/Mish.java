package dev.jtorch.nn;

import dev.jtorch.nn.functional.F;

/**
 * The Mish activation {@code x * tanh(softplus(x))}, as PyTorch's {@code nn.Mish}; any shape, no parameters.
 */
public final class Mish extends ElementwiseActivation {
    /** {@code nn.Mish()}. */
    public Mish() {
        super(F::mish);
    }
}
