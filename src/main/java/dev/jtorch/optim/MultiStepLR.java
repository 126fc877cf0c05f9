package dev.jtorch.optim;

/**
 * Multiplies the learning rate by {@code gamma} at each milestone epoch, as PyTorch's
 * {@code MultiStepLR} in its closed form: {@code lr(e) = baseLr * gamma^(number of milestones <= e)}.
 */
public final class MultiStepLR extends ConfiguredScheduler<MultiStepLROptions> {
    /**
     * Attaches to {@code optimizer} and sets the rate of epoch 0.
     *
     * @throws IllegalArgumentException if {@code milestones} is empty, holds a negative epoch or is
     *     not strictly increasing, or if {@code gamma} is negative or not finite
     */
    public MultiStepLR(Optimizer optimizer, int[] milestones, double gamma) {
        this(optimizer, MultiStepLROptions.of(milestones).withGamma(gamma));
    }

    /** Decays by PyTorch's default {@code gamma = 0.1} at each of {@code milestones}. */
    public MultiStepLR(Optimizer optimizer, int... milestones) {
        this(optimizer, MultiStepLROptions.of(milestones));
    }

    /** Attaches to {@code optimizer} and sets the rate of epoch 0. */
    public MultiStepLR(Optimizer optimizer, MultiStepLROptions options) {
        super(optimizer, options);
    }
}
