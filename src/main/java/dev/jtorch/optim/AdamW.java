package dev.jtorch.optim;

import dev.jtorch.tensor.Tensor;

/**
 * Adam with decoupled weight decay, as PyTorch's {@code torch.optim.AdamW} (libtorch's
 * implementation).
 *
 * <p>Each step first shrinks every parameter by {@code lr * weightDecay}, then applies the Adam
 * update; the decay never enters the moment estimates (unlike {@link Adam}'s L2 penalty).
 */
public final class AdamW extends ConfiguredOptimizer<AdamWOptions> {
    /**
     * An optimizer over {@code params}.
     *
     * @throws IllegalArgumentException if {@code params} is empty or holds a tensor without grad
     */
    public AdamW(Iterable<Tensor> params, AdamWOptions options) {
        super(params, options);
    }

    /** AdamW with PyTorch's defaults (weight decay 1e-2) and learning rate {@code lr}. */
    public AdamW(Iterable<Tensor> params, double lr) {
        this(params, AdamWOptions.lr(lr));
    }
}
