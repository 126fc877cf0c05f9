package dev.jtorch.nn;

import dev.jtorch.nn.functional.Reduction;
import dev.jtorch.tensor.Tensor;

/**
 * What the losses of three tensors share ({@link CosineEmbeddingLoss}, {@link MarginRankingLoss},
 * {@link TripletMarginLoss}, {@link GaussianNLLLoss}): a three-tensor {@code forward} whose native
 * failures name the loss, and two-tensor calls that say which overload to use.
 */
abstract class TripletLoss extends Loss {
    /** The functional form, with the loss's reduction. */
    @FunctionalInterface
    interface Kernel {
        /** The loss of the three tensors, reduced with {@code reduction}. */
        Tensor apply(Tensor a, Tensor b, Tensor c, Reduction reduction);
    }

    private final Kernel kernel;
    private final String call;

    /** {@code call} names the three-tensor overload in the error of the two-tensor one. */
    TripletLoss(Reduction reduction, String call, Kernel kernel) {
        super(reduction);
        this.call = call;
        this.kernel = kernel;
    }

    /**
     * The loss of the three tensors, in PyTorch's order.
     *
     * @return a scalar, or per-sample losses with {@code NONE}; owned by the current scope
     * @throws dev.jtorch.TorchException naming the loss and the shapes if they do not fit
     * @throws IllegalStateException if no scope is open or the loss is closed
     */
    public final Tensor forward(Tensor a, Tensor b, Tensor c) {
        checkOpen();
        return Layers.run(this, () -> kernel.apply(a, b, c, reduction()));
    }

    /**
     * Always throws: this loss takes three tensors.
     *
     * @throws UnsupportedOperationException naming the overload to call
     */
    @Override
    public final Tensor forward(Tensor input, Tensor target) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " takes three tensors: call " + call);
    }

    /**
     * Always throws: this loss takes three tensors.
     *
     * @throws UnsupportedOperationException naming the overload to call
     */
    @Override
    public final Tensor forward(Tensor input) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " takes three tensors: call " + call);
    }
}
