package dev.jtorch.optim;

/**
 * Linear warm-up from {@code startFactor * baseLr} to {@code baseLr} over {@code warmupSteps}
 * epochs, then constant: PyTorch's {@code LinearLR(optimizer, start_factor, end_factor=1.0,
 * total_iters=warmupSteps)} in its closed form,
 * {@code lr(e) = baseLr * (startFactor + (1 - startFactor) * min(e, warmupSteps) / warmupSteps)}.
 */
public final class LinearWarmup extends LRScheduler {
    private final int warmupSteps;
    private final double startFactor;

    /**
     * Attaches to {@code optimizer} and sets the rate of epoch 0, {@code startFactor * baseLr}.
     *
     * @throws IllegalArgumentException if {@code warmupSteps < 1} or {@code startFactor} is not in (0, 1]
     */
    public LinearWarmup(Optimizer optimizer, int warmupSteps, double startFactor) {
        super(optimizer);
        if (warmupSteps < 1) {
            throw new IllegalArgumentException("invalid warmupSteps: " + warmupSteps + " (must be >= 1)");
        }
        if (!(startFactor > 0 && startFactor <= 1)) {
            throw new IllegalArgumentException("invalid startFactor: " + startFactor + " (must be in (0, 1])");
        }
        this.warmupSteps = warmupSteps;
        this.startFactor = startFactor;
        begin();
    }

    /** Epochs until the base rate is reached. */
    public int warmupSteps() {
        return warmupSteps;
    }

    /** The fraction of the base rate at epoch 0. */
    public double startFactor() {
        return startFactor;
    }

    @Override
    protected double lr(double baseLr, int epoch) {
        return baseLr * (startFactor + (1.0 - startFactor) * Math.min(warmupSteps, epoch) / warmupSteps);
    }

    @Override
    public String toString() {
        return "LinearWarmup(warmupSteps=" + warmupSteps + ", startFactor=" + startFactor + ")";
    }
}
