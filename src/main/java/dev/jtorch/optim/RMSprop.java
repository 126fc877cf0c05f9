package dev.jtorch.optim;

import dev.jtorch.tensor.Tensor;

/**
 * RMSprop with optional momentum, centering and weight decay, as PyTorch's
 * {@code torch.optim.RMSprop} (libtorch's implementation, whose update is that of PyTorch's
 * single-tensor path).
 *
 * <p>Per parameter it keeps a step count, the running average of squared gradients, and, when
 * enabled, a momentum buffer ({@code momentum > 0}) and the running average of gradients
 * ({@code centered}); {@link #stateBytes()} saves all of them.
 */
public final class RMSprop extends ConfiguredOptimizer<RMSpropOptions> {
    /**
     * An optimizer over {@code params} (usually {@code model.parameters()}).
     *
     * @throws IllegalArgumentException if {@code params} is empty or holds a tensor without grad
     */
    public RMSprop(Iterable<Tensor> params, RMSpropOptions options) {
        super(params, options);
    }

    /** RMSprop with PyTorch's defaults and learning rate {@code lr}. */
    public RMSprop(Iterable<Tensor> params, double lr) {
        this(params, RMSpropOptions.lr(lr));
    }
}
