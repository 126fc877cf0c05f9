package dev.jtorch.optim;

import dev.jtorch.tensor.Tensor;

/**
 * Stochastic gradient descent with optional momentum, dampening, Nesterov and weight decay, as
 * PyTorch's {@code torch.optim.SGD} (libtorch's implementation).
 */
public final class SGD extends ConfiguredOptimizer<SGDOptions> {
    /**
     * An optimizer over {@code params} (usually {@code model.parameters()}).
     *
     * @throws IllegalArgumentException if {@code params} is empty or holds a tensor without grad
     */
    public SGD(Iterable<Tensor> params, SGDOptions options) {
        super(params, options);
    }

    /** Plain SGD with learning rate {@code lr}. */
    public SGD(Iterable<Tensor> params, double lr) {
        this(params, SGDOptions.lr(lr));
    }
}
