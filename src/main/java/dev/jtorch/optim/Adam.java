package dev.jtorch.optim;

import dev.jtorch.tensor.Tensor;

/** Adam, as PyTorch's {@code torch.optim.Adam} (libtorch's implementation). */
public final class Adam extends ConfiguredOptimizer<AdamOptions> {
    /**
     * An optimizer over {@code params}.
     *
     * @throws IllegalArgumentException if {@code params} is empty or holds a tensor without grad
     */
    public Adam(Iterable<Tensor> params, AdamOptions options) {
        super(params, options);
    }

    /** Adam with PyTorch's defaults and learning rate {@code lr}. */
    public Adam(Iterable<Tensor> params, double lr) {
        this(params, AdamOptions.lr(lr));
    }
}
