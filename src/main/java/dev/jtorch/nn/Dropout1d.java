package dev.jtorch.nn;

import dev.jtorch.nn.functional.F;
import dev.jtorch.tensor.Tensor;

/**
 * Randomly zeroes whole channels during training, as PyTorch's {@code nn.Dropout1d}.
 *
 * <p>Input {@code [N, C, L]} (or {@code [C, L]}). In training mode each channel of each sample is zeroed with probability
 * {@code p} (from the default generator, so {@code Torch.manualSeed} makes it reproducible) and the
 * others are scaled by {@code 1/(1-p)}; in eval mode the input passes through unchanged. No
 * parameters or buffers.
 */
public final class Dropout1d extends Module {
    private final double p;

    /** {@code nn.Dropout1d()}: p = 0.5. */
    public Dropout1d() {
        this(0.5);
    }

    /**
     * Channel dropout with probability {@code p} of zeroing a channel.
     *
     * @throws IllegalArgumentException if {@code p} is not in [0, 1]
     */
    public Dropout1d(double p) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException("dropout probability has to be between 0 and 1, but got " + p);
        }
        this.p = p;
    }

    /**
     * Applies channel dropout in training mode, the identity in eval mode.
     *
     * @return a tensor of the input's shape owned by the current scope (in eval mode, possibly an alias of the input)
     * @throws IllegalStateException if no scope is open or the layer is closed
     */
    @Override
    public Tensor forward(Tensor input) {
        checkOpen();
        return F.dropout1d(input, p, isTraining());
    }

    /** The probability of zeroing a channel. */
    public double p() {
        return p;
    }

    @Override
    protected String extraRepr() {
        return "p=" + Layers.number(p) + ", inplace=False";
    }
}
