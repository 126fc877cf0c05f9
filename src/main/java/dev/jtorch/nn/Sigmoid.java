package dev.jtorch.nn;

import dev.jtorch.nn.functional.F;

/** Elementwise {@code 1 / (1 + exp(-x))}, as PyTorch's {@code nn.Sigmoid}; any shape, no parameters. */
public final class Sigmoid extends ElementwiseActivation {
    /** {@code nn.Sigmoid()}. */
    public Sigmoid() {
        super(F::sigmoid);
    }
}
