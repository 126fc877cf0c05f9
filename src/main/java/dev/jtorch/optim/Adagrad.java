package dev.jtorch.optim;

import dev.jtorch.tensor.Tensor;

/**
 * Adagrad, as PyTorch's {@code torch.optim.Adagrad} for dense gradients (libtorch's
 * implementation, whose update is that of PyTorch's single-tensor path): step {@code t} uses the
 * rate {@code lr / (1 + (t - 1) * lrDecay)} and divides by the square root of the accumulated
 * squared gradients plus {@code eps}.
 *
 * <p>Per parameter it keeps a step count and the accumulator, created at construction filled with
 * {@code initialAccumulatorValue}; {@link #stateBytes()} saves both. Adagrad has no momentum
 * ({@link #hasMomentum()} is false).
 */
public final class Adagrad extends ConfiguredOptimizer<AdagradOptions> {
    /**
     * An optimizer over {@code params} (usually {@code model.parameters()}).
     *
     * @throws IllegalArgumentException if {@code params} is empty or holds a tensor without grad
     */
    public Adagrad(Iterable<Tensor> params, AdagradOptions options) {
        super(params, options);
    }

    /** Adagrad with PyTorch's defaults and learning rate {@code lr}. */
    public Adagrad(Iterable<Tensor> params, double lr) {
        this(params, AdagradOptions.lr(lr));
    }
}
