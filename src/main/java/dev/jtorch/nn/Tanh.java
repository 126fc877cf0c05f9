package dev.jtorch.nn;

import dev.jtorch.nn.functional.F;

/** Elementwise hyperbolic tangent, as PyTorch's {@code nn.Tanh}; any shape, no parameters. */
public final class Tanh extends ElementwiseActivation {
    /** {@code nn.Tanh()}. */
    public Tanh() {
        super(F::tanh);
    }
}
