package dev.jtorch.nn;

import dev.jtorch.nn.functional.F;

/**
 * The sigmoid linear unit (swish) {@code x * sigmoid(x)}, as PyTorch's {@code nn.SiLU}; any shape, no parameters.
 */
public final class SiLU extends ElementwiseActivation {
    /** {@code nn.SiLU()}. */
    public SiLU() {
        super(F::silu);
    }
}
