package dev.jtorch.optim;

/**
 * Linear warm-up from {@code startFactor * baseLr} to {@code baseLr} over {@code warmupSteps}
 * epochs, then constant: PyTorch's {@code LinearLR(optimizer, start_factor, end_factor=1.0,
 * total_iters=warmupSteps)} in its closed form,
 * {@code lr(e) = baseLr * (startFactor + (1 - startFactor) * min(e, warmupSteps) / warmupSteps)}.
 */
public final class LinearWarmup extends ConfiguredScheduler<LinearWarmupOptions> {
    /**
     * Attaches to {@code optimizer} and sets the rate of epoch 0, {@code startFactor * baseLr}.
     *
     * @throws IllegalArgumentException if {@code warmupSteps < 1} or {@code startFactor} is not in (0, 1]
     */
    public LinearWarmup(Optimizer optimizer, int warmupSteps, double startFactor) {
        this(optimizer, new LinearWarmupOptions(warmupSteps, startFactor));
    }

    /** Attaches to {@code optimizer} and sets the rate of epoch 0, {@code startFactor * baseLr}. */
    public LinearWarmup(Optimizer optimizer, LinearWarmupOptions options) {
        super(optimizer, options);
    }
}
