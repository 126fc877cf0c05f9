package dev.jtorch.nn;

import dev.jtorch.nn.functional.F;

/**
 * {@code min(max(0, x), 6)}, as PyTorch's {@code nn.ReLU6}; any shape, no parameters.
 */
public final class ReLU6 extends ElementwiseActivation {
    /** {@code nn.ReLU6()}. */
    public ReLU6() {
        super(F::relu6);
    }
}
