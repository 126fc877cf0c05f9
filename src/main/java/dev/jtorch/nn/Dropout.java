package dev.jtorch.nn;

import dev.jtorch.nn.functional.F;
import dev.jtorch.tensor.Tensor;

/**
 * Randomly zeroes elements during training, as PyTorch's {@code nn.Dropout}.
 *
 * <p>In training mode each element is zeroed with probability {@code p} (independently, from the
 * default generator, so {@code Torch.manualSeed} makes it reproducible) and the others are scaled
 * by {@code 1/(1-p)}, keeping the expected value; in eval mode the input passes through
 * unchanged. Any shape; no parameters or buffers.
 */
public final class Dropout extends Module {
    private final double p;

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
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException("dropout probability has to be between 0 and 1, but got " + p);
        }
        this.p = p;
    }

    /**
     * Applies dropout in training mode, the identity in eval mode.
     *
     * @return a tensor of the input's shape owned by the current scope (in eval mode, an alias of the input)
     * @throws IllegalStateException if no scope is open or the layer is closed
     */
    @Override
    public Tensor forward(Tensor input) {
        checkOpen();
        return F.dropout(input, p, isTraining());
    }

    /** The probability of zeroing an element. */
    public double p() {
        return p;
    }

    @Override
    protected String extraRepr() {
        return "p=" + Layers.number(p) + ", inplace=False";
    }
}
