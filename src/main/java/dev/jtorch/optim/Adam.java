package dev.jtorch.optim;

import dev.jtorch.internal.NativeOptimizer;
import dev.jtorch.tensor.Tensor;

/** Adam, as PyTorch's {@code torch.optim.Adam} (libtorch's implementation). */
public final class Adam extends Optimizer {
    private final AdamOptions options;

    /**
     * An optimizer over {@code params}.
     *
     * @throws IllegalArgumentException if {@code params} is empty or holds a tensor without grad
     */
    public Adam(Iterable<Tensor> params, AdamOptions options) {
        super(NativeOptimizer.adam(handles(params), options.lr(), options.beta1(), options.beta2(), options.eps(),
                options.weightDecay(), options.amsgrad()));
        this.options = options;
    }

    /** Adam with PyTorch's defaults and learning rate {@code lr}. */
    public Adam(Iterable<Tensor> params, double lr) {
        this(params, AdamOptions.lr(lr));
    }

    /** The settings this optimizer was built with (the learning rate may since have changed: {@link #lr()}). */
    public AdamOptions options() {
        return options;
    }
}
