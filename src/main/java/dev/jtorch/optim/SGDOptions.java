package dev.jtorch.optim;

import dev.jtorch.tensor.Tensor;

/**
 * Settings of {@link SGD}, with PyTorch's defaults (momentum 0, dampening 0, no weight decay, no
 * Nesterov).
 *
 * <pre>{@code SGDOptions.lr(0.01).withMomentum(0.9)}</pre>
 *
 * @param lr learning rate
 * @param momentum momentum factor
 * @param dampening dampening for momentum
 * @param weightDecay L2 penalty
 * @param nesterov Nesterov momentum (needs momentum > 0 and dampening 0)
 */
public record SGDOptions(double lr, double momentum, double dampening, double weightDecay, boolean nesterov)
        implements OptimizerConfig, SGDOptionsCopies {
    /**
     * Checks the settings as PyTorch does.
     *
     * @throws IllegalArgumentException naming the bad setting
     */
    public SGDOptions {
        Optimizer.checkLr(lr);
        Optimizer.checkNonNegative("momentum", momentum);
        Optimizer.checkNonNegative("weight decay", weightDecay);
        if (Double.isNaN(dampening)) {
            throw new IllegalArgumentException("invalid dampening: " + dampening);
        }
        if (nesterov && (momentum <= 0 || dampening != 0)) {
            throw new IllegalArgumentException("Nesterov momentum requires momentum > 0 and zero dampening");
        }
    }

    /** Defaults with learning rate {@code lr}. */
    public static SGDOptions lr(double lr) {
        return new SGDOptions(lr, 0, 0, 0, false);
    }

    /** {@code new SGD(params, this)}. */
    @Override
    public SGD build(Iterable<Tensor> params) {
        return new SGD(params, this);
    }
}
