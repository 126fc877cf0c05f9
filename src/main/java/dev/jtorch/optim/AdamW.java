package dev.jtorch.optim;

import dev.jtorch.internal.NativeOptimizer;
import dev.jtorch.tensor.Tensor;

/**
 * Adam with decoupled weight decay, as PyTorch's {@code torch.optim.AdamW} (libtorch's
 * implementation).
 *
 * <p>Each step first shrinks every parameter by {@code lr * weightDecay}, then applies the Adam
 * update; the decay never enters the moment estimates (unlike {@link Adam}'s L2 penalty).
 */
public final class AdamW extends Optimizer {
    private final AdamWOptions options;

    /**
     * An optimizer over {@code params}.
     *
     * @throws IllegalArgumentException if {@code params} is empty or holds a tensor without grad
     */
    public AdamW(Iterable<Tensor> params, AdamWOptions options) {
        super(NativeOptimizer.adamW(handles(params), options.lr(), options.beta1(), options.beta2(), options.eps(),
                options.weightDecay(), options.amsgrad()));
        this.options = options;
    }

    /** AdamW with PyTorch's defaults (weight decay 1e-2) and learning rate {@code lr}. */
    public AdamW(Iterable<Tensor> params, double lr) {
        this(params, AdamWOptions.lr(lr));
    }

    /** The settings this optimizer was built with (the learning rate may since have changed: {@link #lr()}). */
    public AdamWOptions options() {
        return options;
    }
}
