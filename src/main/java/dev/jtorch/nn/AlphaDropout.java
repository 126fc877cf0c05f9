package dev.jtorch.nn;

import dev.jtorch.nn.functional.F;

/**
 * Dropout that keeps a SELU network's zero mean and unit variance, as PyTorch's {@code nn.AlphaDropout}:
 * dropped elements take SELU's negative saturation value, then an affine map restores the statistics.
 *
 * <p>Draws from the default generator ({@code Torch.manualSeed} makes it reproducible); in eval mode
 * the input passes through unchanged. No parameters or buffers.
 */
public final class AlphaDropout extends DropoutBase {
    /** {@code nn.AlphaDropout()}: p = 0.5. */
    public AlphaDropout() {
        this(0.5);
    }

    /**
     * Dropout with probability {@code p}.
     *
     * @throws IllegalArgumentException if {@code p} is not in [0, 1]
     */
    public AlphaDropout(double p) {
        super(p, F::alphaDropout);
    }
}
