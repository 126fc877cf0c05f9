package dev.jtorch.nn;

import dev.jtorch.nn.functional.F;

/**
 * {@code x - tanh(x)}, as PyTorch's {@code nn.Tanhshrink}; any shape, no parameters.
 */
public final class Tanhshrink extends ElementwiseActivation {
    /** {@code nn.Tanhshrink()}. */
    public Tanhshrink() {
        super(F::tanhshrink);
    }
}
