package dev.jtorch.nn;

import dev.jtorch.nn.functional.F;

/**
 * {@link AlphaDropout} of whole channels, as PyTorch's {@code nn.FeatureAlphaDropout}.
 *
 * <p>Draws from the default generator ({@code Torch.manualSeed} makes it reproducible); in eval mode
 * the input passes through unchanged. No parameters or buffers.
 */
public final class FeatureAlphaDropout extends DropoutBase {
    /** {@code nn.FeatureAlphaDropout()}: p = 0.5. */
    public FeatureAlphaDropout() {
        this(0.5);
    }

    /**
     * Dropout with probability {@code p}.
     *
     * @throws IllegalArgumentException if {@code p} is not in [0, 1]
     */
    public FeatureAlphaDropout(double p) {
        super(p, F::featureAlphaDropout);
    }
}
