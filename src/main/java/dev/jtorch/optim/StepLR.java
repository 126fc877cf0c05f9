package dev.jtorch.optim;

/**
 * Multiplies the learning rate by {@code gamma} every {@code stepSize} epochs, as PyTorch's
 * {@code StepLR}: {@code lr(e) = baseLr * gamma^floor(e / stepSize)}.
 */
public final class StepLR extends ConfiguredScheduler<StepLROptions> {
    /**
     * Attaches to {@code optimizer} and sets the rate of epoch 0 (the base rate).
     *
     * @throws IllegalArgumentException if {@code stepSize < 1} or {@code gamma} is negative or not finite
     */
    public StepLR(Optimizer optimizer, int stepSize, double gamma) {
        this(optimizer, new StepLROptions(stepSize, gamma));
    }

    /** Attaches to {@code optimizer} and sets the rate of epoch 0 (the base rate). */
    public StepLR(Optimizer optimizer, StepLROptions options) {
        super(optimizer, options);
    }
}
