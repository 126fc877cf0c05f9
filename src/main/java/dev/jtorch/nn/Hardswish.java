package dev.jtorch.nn;

import dev.jtorch.nn.functional.F;

/**
 * The hard swish {@code x * relu6(x + 3) / 6}, as PyTorch's {@code nn.Hardswish}; any shape, no parameters.
 */
public final class Hardswish extends ElementwiseActivation {
    /** {@code nn.Hardswish()}. */
    public Hardswish() {
        super(F::hardswish);
    }
}
