package dev.jtorch.nn;

import dev.jtorch.nn.functional.F;

/**
 * {@code x / (1 + |x|)}, as PyTorch's {@code nn.Softsign}; any shape, no parameters.
 */
public final class Softsign extends ElementwiseActivation {
    /** {@code nn.Softsign()}. */
    public Softsign() {
        super(F::softsign);
    }
}
