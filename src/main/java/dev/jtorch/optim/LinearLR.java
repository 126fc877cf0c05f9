package dev.jtorch.optim;

/**
 * Scales the base rate by a factor moving linearly from {@code startFactor} to {@code endFactor}
 * over {@code totalIters} epochs, then constant, as PyTorch's {@code LinearLR} in its closed form:
 * {@code lr(e) = baseLr * (startFactor + (endFactor - startFactor) * min(e, totalIters) / totalIters)}.
 *
 * <p>{@link LinearWarmup} is the case {@code endFactor = 1}.
 */
public final class LinearLR extends LRScheduler {
    private final double startFactor;
    private final double endFactor;
    private final int totalIters;

    /**
     * Attaches to {@code optimizer} and sets the rate of epoch 0, {@code startFactor * baseLr}.
     *
     * @throws IllegalArgumentException if {@code startFactor} is not in (0, 1], {@code endFactor}
     *     not in [0, 1], or {@code totalIters < 1}
     */
    public LinearLR(Optimizer optimizer, double startFactor, double endFactor, int totalIters) {
        super(optimizer);
        if (!(startFactor > 0 && startFactor <= 1)) {
            throw new IllegalArgumentException("invalid startFactor: " + startFactor + " (must be in (0, 1])");
        }
        if (!(endFactor >= 0 && endFactor <= 1)) {
            throw new IllegalArgumentException("invalid endFactor: " + endFactor + " (must be in [0, 1])");
        }
        if (totalIters < 1) {
            throw new IllegalArgumentException("invalid totalIters: " + totalIters + " (must be >= 1)");
        }
        this.startFactor = startFactor;
        this.endFactor = endFactor;
        this.totalIters = totalIters;
        begin();
    }

    /** PyTorch's defaults: from a third of the base rate to all of it over 5 epochs. */
    public LinearLR(Optimizer optimizer) {
        this(optimizer, 1.0 / 3, 1.0, 5);
    }

    /** The factor at epoch 0. */
    public double startFactor() {
        return startFactor;
    }

    /** The factor from epoch {@link #totalIters()} on. */
    public double endFactor() {
        return endFactor;
    }

    /** Epochs of the linear change. */
    public int totalIters() {
        return totalIters;
    }

    @Override
    protected double lr(double baseLr, int epoch) {
        return baseLr * (startFactor + (endFactor - startFactor) * Math.min(totalIters, epoch) / totalIters);
    }

    @Override
    public String toString() {
        return "LinearLR(startFactor=" + startFactor + ", endFactor=" + endFactor + ", totalIters=" + totalIters + ")";
    }
}
