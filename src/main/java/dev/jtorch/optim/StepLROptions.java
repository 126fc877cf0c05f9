package dev.jtorch.optim;

/**
 * Settings of {@link StepLR}.
 *
 * <pre>{@code new StepLROptions(30, 0.1).build(optimizer)}</pre>
 *
 * @param stepSize epochs between decays
 * @param gamma the decay factor
 */
public record StepLROptions(int stepSize, double gamma) implements SchedulerConfig<StepLR>, ClosedForm {
    /**
     * Checks the settings.
     *
     * @throws IllegalArgumentException if {@code stepSize < 1} or {@code gamma} is negative or not finite
     */
    public StepLROptions {
        LRScheduler.checkPositive("step size", stepSize);
        LRScheduler.checkNonNegative("gamma", gamma);
    }

    /** The rate at {@code epoch} for base rate {@code baseLr}: {@code baseLr * gamma^floor(epoch / stepSize)}. */
    @Override
    public double lr(double baseLr, int epoch) {
        return baseLr * Math.pow(gamma, epoch / stepSize);
    }

    /** {@code new StepLR(optimizer, this)}. */
    @Override
    public StepLR build(Optimizer optimizer) {
        return new StepLR(optimizer, this);
    }
}
