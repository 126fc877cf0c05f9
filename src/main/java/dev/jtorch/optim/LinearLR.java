package dev.jtorch.optim;

/**
 * Scales the base rate by a factor moving linearly from {@code startFactor} to {@code endFactor}
 * over {@code totalIters} epochs, then constant, as PyTorch's {@code LinearLR} in its closed form:
 * {@code lr(e) = baseLr * (startFactor + (endFactor - startFactor) * min(e, totalIters) / totalIters)}.
 *
 * <p>{@link LinearWarmup} is the case {@code endFactor = 1}.
 */
public final class LinearLR extends ConfiguredScheduler<LinearLROptions> {
    /**
     * Attaches to {@code optimizer} and sets the rate of epoch 0, {@code startFactor * baseLr}.
     *
     * @throws IllegalArgumentException if {@code startFactor} is not in (0, 1], {@code endFactor}
     *     not in [0, 1], or {@code totalIters < 1}
     */
    public LinearLR(Optimizer optimizer, double startFactor, double endFactor, int totalIters) {
        this(optimizer, new LinearLROptions(startFactor, endFactor, totalIters));
    }

    /** PyTorch's defaults: from a third of the base rate to all of it over 5 epochs. */
    public LinearLR(Optimizer optimizer) {
        this(optimizer, LinearLROptions.defaults());
    }

    /** Attaches to {@code optimizer} and sets the rate of epoch 0, {@code startFactor * baseLr}. */
    public LinearLR(Optimizer optimizer, LinearLROptions options) {
        super(optimizer, options);
    }
}
