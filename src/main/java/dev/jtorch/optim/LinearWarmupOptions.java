package dev.jtorch.optim;

/**
 * Settings of {@link LinearWarmup}.
 *
 * @param warmupSteps epochs until the base rate is reached
 * @param startFactor the fraction of the base rate at epoch 0
 */
public record LinearWarmupOptions(int warmupSteps, double startFactor) implements SchedulerConfig<LinearWarmup>,
        ClosedForm {
    /**
     * Checks the settings.
     *
     * @throws IllegalArgumentException if {@code warmupSteps < 1} or {@code startFactor} is not in (0, 1]
     */
    public LinearWarmupOptions {
        LRScheduler.checkPositive("warmupSteps", warmupSteps);
        LRScheduler.checkStartFactor(startFactor);
    }

    /**
     * The rate at {@code epoch} for base rate {@code baseLr}:
     * {@code baseLr * (startFactor + (1 - startFactor) * min(epoch, warmupSteps) / warmupSteps)}.
     */
    @Override
    public double lr(double baseLr, int epoch) {
        return baseLr * (startFactor + (1.0 - startFactor) * Math.min(warmupSteps, epoch) / warmupSteps);
    }

    /** {@code new LinearWarmup(optimizer, this)}. */
    @Override
    public LinearWarmup build(Optimizer optimizer) {
        return new LinearWarmup(optimizer, this);
    }
}
