package dev.jtorch.optim;

/**
 * Settings of {@link LinearLR}, with PyTorch's defaults ({@link #defaults()}: from a third of the
 * base rate to all of it over 5 epochs).
 *
 * @param startFactor the factor at epoch 0
 * @param endFactor the factor from epoch {@code totalIters} on
 * @param totalIters epochs of the linear change
 */
public record LinearLROptions(double startFactor, double endFactor, int totalIters)
        implements SchedulerConfig<LinearLR>, ClosedForm {
    /**
     * Checks the settings.
     *
     * @throws IllegalArgumentException if {@code startFactor} is not in (0, 1], {@code endFactor}
     *     not in [0, 1], or {@code totalIters < 1}
     */
    public LinearLROptions {
        LRScheduler.checkStartFactor(startFactor);
        if (!(endFactor >= 0 && endFactor <= 1)) {
            throw new IllegalArgumentException("invalid endFactor: " + endFactor + " (must be in [0, 1])");
        }
        LRScheduler.checkPositive("totalIters", totalIters);
    }

    /** PyTorch's defaults: from a third of the base rate to all of it over 5 epochs. */
    public static LinearLROptions defaults() {
        return new LinearLROptions(1.0 / 3, 1.0, 5);
    }

    /**
     * The rate at {@code epoch} for base rate {@code baseLr}:
     * {@code baseLr * (startFactor + (endFactor - startFactor) * min(epoch, totalIters) / totalIters)}.
     */
    @Override
    public double lr(double baseLr, int epoch) {
        return baseLr * (startFactor + (endFactor - startFactor) * Math.min(totalIters, epoch) / totalIters);
    }

    /** {@code new LinearLR(optimizer, this)}. */
    @Override
    public LinearLR build(Optimizer optimizer) {
        return new LinearLR(optimizer, this);
    }
}
