package dev.jtorch.optim;

import dev.jtorch.tensor.Tensor;

/**
 * Settings of {@link AdamW}, with PyTorch's defaults (lr 1e-3, betas (0.9, 0.999), eps 1e-8,
 * weight decay 1e-2, no AMSGrad).
 *
 * <pre>{@code AdamWOptions.lr(3e-4).withWeightDecay(0.05)}</pre>
 *
 * @param lr learning rate
 * @param beta1 decay of the first moment
 * @param beta2 decay of the second moment
 * @param eps term added to the denominator
 * @param weightDecay decoupled weight decay: each step multiplies the parameter by {@code 1 - lr * weightDecay}
 * @param amsgrad use the AMSGrad variant
 */
public record AdamWOptions(double lr, double beta1, double beta2, double eps, double weightDecay, boolean amsgrad)
        implements AdamSettings<AdamWOptions> {
    /**
     * Checks the settings as PyTorch does (and rejects the infinities PyTorch lets through).
     *
     * @throws IllegalArgumentException naming the bad setting
     */
    public AdamWOptions {
        AdamSettings.check(lr, beta1, beta2, eps, weightDecay);
    }

    /** PyTorch's defaults. */
    public static AdamWOptions defaults() {
        return lr(1e-3);
    }

    /** Defaults with learning rate {@code lr}. */
    public static AdamWOptions lr(double lr) {
        return new AdamWOptions(lr, 0.9, 0.999, 1e-8, 1e-2, false);
    }

    /** {@code new AdamW(params, this)}. */
    @Override
    public AdamW build(Iterable<Tensor> params) {
        return new AdamW(params, this);
    }
}
