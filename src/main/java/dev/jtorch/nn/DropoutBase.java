package dev.jtorch.nn;

import dev.jtorch.tensor.Tensor;

/**
 * What PyTorch's dropout layers share (its {@code _DropoutNd}): a probability checked once, the
 * functional call in training mode and the identity in eval mode, no parameters or buffers.
 */
abstract sealed class DropoutBase extends Module
        permits Dropout, Dropout1d, Dropout2d, Dropout3d, AlphaDropout, FeatureAlphaDropout {
    /** The functional form: {@code F::dropout}, {@code F::dropout1d} or {@code F::dropout2d}. */
    @FunctionalInterface
    interface Kernel {
        /** Dropout of {@code input} with probability {@code p}, the identity unless {@code training}. */
        Tensor apply(Tensor input, double p, boolean training);
    }

    private final double p;
    private final Kernel kernel;

    DropoutBase(double p, Kernel kernel) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException("dropout probability has to be between 0 and 1, but got " + p);
        }
        this.p = p;
        this.kernel = kernel;
    }

    /**
     * Applies dropout in training mode, the identity in eval mode.
     *
     * @return a tensor of the input's shape owned by the current scope (in eval mode, possibly an
     *     alias of the input)
     * @throws IllegalStateException if no scope is open or the layer is closed
     */
    @Override
    public final Tensor forward(Tensor input) {
        checkOpen();
        return kernel.apply(input, p, isTraining());
    }

    /** The probability of zeroing an element (a channel, for the channel dropouts). */
    public final double p() {
        return p;
    }

    @Override
    protected String extraRepr() {
        return "p=" + Layers.number(p) + ", inplace=False";
    }
}
