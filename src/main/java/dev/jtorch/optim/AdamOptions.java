package dev.jtorch.optim;

import dev.jtorch.tensor.Tensor;

/**
 * Settings of {@link Adam}, with PyTorch's defaults (lr 1e-3, betas (0.9, 0.999), eps 1e-8, no
 * weight decay, no AMSGrad).
 *
 * @param lr learning rate
 * @param beta1 decay of the first moment
 * @param beta2 decay of the second moment
 * @param eps term added to the denominator
 * @param weightDecay L2 penalty added to the gradient (not decoupled; that is AdamW)
 * @param amsgrad use the AMSGrad variant
 */
public record AdamOptions(double lr, double beta1, double beta2, double eps, double weightDecay, boolean amsgrad)
        implements AdamSettings<AdamOptions> {
    /**
     * Checks the settings as PyTorch does (and rejects the infinities PyTorch lets through).
     *
     * @throws IllegalArgumentException naming the bad setting
     */
    public AdamOptions {
        AdamSettings.check(lr, beta1, beta2, eps, weightDecay);
    }

    /** PyTorch's defaults. */
    public static AdamOptions defaults() {
        return lr(1e-3);
    }

    /** Defaults with learning rate {@code lr}. */
    public static AdamOptions lr(double lr) {
        return new AdamOptions(lr, 0.9, 0.999, 1e-8, 0, false);
    }

    /** {@code new Adam(params, this)}. */
    @Override
    public Adam build(Iterable<Tensor> params) {
        return new Adam(params, this);
    }
}
