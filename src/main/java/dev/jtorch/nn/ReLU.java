package dev.jtorch.nn;

import dev.jtorch.nn.functional.F;

/** Elementwise {@code max(0, x)}, as PyTorch's {@code nn.ReLU}; no parameters, any shape. */
public final class ReLU extends ElementwiseActivation {
    /** {@code nn.ReLU()}. */
    public ReLU() {
        super(F::relu);
    }
}
