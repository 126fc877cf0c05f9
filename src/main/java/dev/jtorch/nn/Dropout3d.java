package dev.jtorch.nn;

import dev.jtorch.nn.functional.F;

/**
 * Randomly zeroes whole channels of {@code [N, C, D, H, W]} (or {@code [C, D, H, W]}) inputs during
 * training, as PyTorch's {@code nn.Dropout3d}; the others are scaled by {@code 1/(1-p)}.
 *
 * <p>Draws from the default generator ({@code Torch.manualSeed} makes it reproducible); in eval mode
 * the input passes through unchanged. No parameters or buffers.
 */
public final class Dropout3d extends DropoutBase {
    /** {@code nn.Dropout3d()}: p = 0.5. */
    public Dropout3d() {
        this(0.5);
    }

    /**
     * Dropout with probability {@code p}.
     *
     * @throws IllegalArgumentException if {@code p} is not in [0, 1]
     */
    public Dropout3d(double p) {
        super(p, F::dropout3d);
    }
}
