package dev.jtorch.nn;

import dev.jtorch.nn.functional.F;

/**
 * Randomly zeroes elements during training, as PyTorch's {@code nn.Dropout}.
 *
 * <p>In training mode each element is zeroed with probability {@code p} (independently, from the
 * default generator, so {@code Torch.manualSeed} makes it reproducible) and the others are scaled
 * by {@code 1/(1-p)}, keeping the expected value; in eval mode the input passes through
 * unchanged. Any shape; no parameters or buffers.
 */
public final class Dropout extends DropoutBase {
    /** {@code nn.Dropout()}: p = 0.5. */
    public Dropout() {
        this(0.5);
    }

    /**
     * Dropout with probability {@code p} of zeroing an element.
     *
     * @throws IllegalArgumentException if {@code p} is not in [0, 1]
     */
    public Dropout(double p) {
        super(p, F::dropout);
    }
}
