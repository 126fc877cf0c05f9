package dev.jtorch.nn;

import dev.jtorch.nn.functional.F;

/**
 * The hard sigmoid {@code relu6(x + 3) / 6}, as PyTorch's {@code nn.Hardsigmoid}; any shape, no parameters.
 */
public final class Hardsigmoid extends ElementwiseActivation {
    /** {@code nn.Hardsigmoid()}. */
    public Hardsigmoid() {
        super(F::hardsigmoid);
    }
}
