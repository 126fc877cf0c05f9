package dev.jtorch.optim;

import dev.jtorch.tensor.Tensor;

/**
 * Settings of {@link RMSprop}, with PyTorch's defaults (lr 0.01, alpha 0.99, eps 1e-8, no weight
 * decay, no momentum, not centered).
 *
 * <pre>{@code RMSpropOptions.lr(1e-3).withMomentum(0.9).withCentered(true)}</pre>
 *
 * @param lr learning rate
 * @param alpha smoothing constant of the squared-gradient average
 * @param eps term added to the denominator
 * @param weightDecay L2 penalty added to the gradient
 * @param momentum momentum factor (0: none)
 * @param centered normalise by the estimated variance of the gradient instead of its raw second moment
 */
public record RMSpropOptions(double lr, double alpha, double eps, double weightDecay, double momentum,
                             boolean centered) implements OptimizerConfig, RMSpropOptionsCopies {
    /**
     * Checks the settings as PyTorch does (and rejects NaN and infinities, which PyTorch lets through).
     *
     * @throws IllegalArgumentException naming the bad setting
     */
    public RMSpropOptions {
        Optimizer.checkLr(lr);
        Optimizer.checkNonNegativeFinite("alpha", alpha);
        Optimizer.checkNonNegativeFinite("eps", eps);
        Optimizer.checkNonNegativeFinite("weight decay", weightDecay);
        Optimizer.checkNonNegativeFinite("momentum", momentum);
    }

    /** PyTorch's defaults. */
    public static RMSpropOptions defaults() {
        return lr(0.01);
    }

    /** Defaults with learning rate {@code lr}. */
    public static RMSpropOptions lr(double lr) {
        return new RMSpropOptions(lr, 0.99, 1e-8, 0, 0, false);
    }

    /** {@code new RMSprop(params, this)}. */
    @Override
    public RMSprop build(Iterable<Tensor> params) {
        return new RMSprop(params, this);
    }
}
