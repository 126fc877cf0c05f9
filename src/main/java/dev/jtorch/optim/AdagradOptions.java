package dev.jtorch.optim;

import dev.jtorch.tensor.Tensor;

/**
 * Settings of {@link Adagrad}, with PyTorch's defaults (lr 0.01, no learning-rate decay, no weight
 * decay, accumulators starting at 0, eps 1e-10).
 *
 * <pre>{@code AdagradOptions.lr(0.1).withLrDecay(1e-3)}</pre>
 *
 * @param lr learning rate
 * @param lrDecay step {@code t} uses {@code lr / (1 + (t - 1) * lrDecay)}
 * @param weightDecay L2 penalty added to the gradient
 * @param initialAccumulatorValue starting value of the squared-gradient sums
 * @param eps term added to the denominator
 */
public record AdagradOptions(double lr, double lrDecay, double weightDecay, double initialAccumulatorValue,
                             double eps) implements OptimizerConfig, AdagradOptionsCopies {
    /**
     * Checks the settings as PyTorch does (and rejects NaN and infinities, which PyTorch lets through).
     *
     * @throws IllegalArgumentException naming the bad setting
     */
    public AdagradOptions {
        Optimizer.checkLr(lr);
        Optimizer.checkNonNegativeFinite("lr decay", lrDecay);
        Optimizer.checkNonNegativeFinite("weight decay", weightDecay);
        Optimizer.checkNonNegativeFinite("initial accumulator value", initialAccumulatorValue);
        Optimizer.checkNonNegativeFinite("eps", eps);
    }

    /** PyTorch's defaults. */
    public static AdagradOptions defaults() {
        return lr(0.01);
    }

    /** Defaults with learning rate {@code lr}. */
    public static AdagradOptions lr(double lr) {
        return new AdagradOptions(lr, 0, 0, 0, 1e-10);
    }

    /** {@code new Adagrad(params, this)}. */
    @Override
    public Adagrad build(Iterable<Tensor> params) {
        return new Adagrad(params, this);
    }
}
