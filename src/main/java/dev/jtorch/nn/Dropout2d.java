package dev.jtorch.nn;

import dev.jtorch.nn.functional.F;

/**
 * Randomly zeroes whole channels during training, as PyTorch's {@code nn.Dropout2d}.
 *
 * <p>Input {@code [N, C, H, W]} (or {@code [C, H, W]}). In training mode each channel of each sample is zeroed with probability
 * {@code p} (from the default generator, so {@code Torch.manualSeed} makes it reproducible) and the
 * others are scaled by {@code 1/(1-p)}; in eval mode the input passes through unchanged. No
 * parameters or buffers.
 */
public final class Dropout2d extends DropoutBase {
    /** {@code nn.Dropout2d()}: p = 0.5. */
    public Dropout2d() {
        this(0.5);
    }

    /**
     * Channel dropout with probability {@code p} of zeroing a channel.
     *
     * @throws IllegalArgumentException if {@code p} is not in [0, 1]
     */
    public Dropout2d(double p) {
        super(p, F::dropout2d);
    }
}
