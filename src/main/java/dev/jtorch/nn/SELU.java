package dev.jtorch.nn;

import dev.jtorch.nn.functional.F;

/**
 * The scaled exponential linear unit {@code scale * (max(0, x) + min(0, alpha * (exp(x) - 1)))} with
 * PyTorch's fixed {@code alpha} and {@code scale}, as {@code nn.SELU}; any shape, no parameters.
 */
public final class SELU extends ElementwiseActivation {
    /** {@code nn.SELU()}. */
    public SELU() {
        super(F::selu);
    }
}
