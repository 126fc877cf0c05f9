package dev.jtorch.optim;

import dev.jtorch.tensor.Tensor;

/**
 * Stochastic gradient descent with optional momentum, dampening, Nesterov and weight decay, as
 * PyTorch's {@code torch.optim.SGD}.
 *
 * <p>The state (momentum buffers) is libtorch's {@code torch::optim::SGD}'s; each step updates
 * every parameter in one call of libtorch's fused kernel (PyTorch's {@code fused=True}), or with
 * libtorch's own per-parameter step where that kernel cannot run (the first step with momentum, a
 * parameter without gradient). Results agree with PyTorch's to float rounding.
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
