package dev.jtorch.nn;

import dev.jtorch.tensor.Tensor;

/**
 * What {@link Softmax} and {@link LogSoftmax} share: the dimension normalised over and a
 * {@code forward} that is the functional call along it.
 */
abstract sealed class SoftmaxBase extends Module permits Softmax, LogSoftmax, Softmin {
    /** The functional form, {@code F::softmax} or {@code F::logSoftmax}. */
    @FunctionalInterface
    interface Kernel {
        /** Normalises {@code input} along {@code dim}. */
        Tensor apply(Tensor input, int dim);
    }

    private final int dim;
    private final Kernel kernel;

    SoftmaxBase(int dim, Kernel kernel) {
        this.dim = dim;
        this.kernel = kernel;
    }

    /**
     * Applies the normalisation along {@link #dim()}; the result belongs to the current scope.
     *
     * @throws dev.jtorch.TorchException if {@code dim} is out of range for the input
     * @throws IllegalStateException if no scope is open or the layer is closed
     */
    @Override
    public final Tensor forward(Tensor input) {
        checkOpen();
        return Layers.run(this, () -> kernel.apply(input, dim));
    }

    /** The dimension normalised over. */
    public final int dim() {
        return dim;
    }

    @Override
    protected final String extraRepr() {
        return "dim=" + dim;
    }
}
