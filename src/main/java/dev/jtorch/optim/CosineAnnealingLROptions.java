package dev.jtorch.optim;

/**
 * Settings of {@link CosineAnnealingLR}.
 *
 * <pre>{@code new CosineAnnealingLROptions(epochs).build(optimizer)}</pre>
 *
 * @param tMax epochs from the base rate to {@code etaMin}
 * @param etaMin the lowest rate
 */
public record CosineAnnealingLROptions(int tMax, double etaMin) implements SchedulerConfig<CosineAnnealingLR>,
        ClosedForm {
    /**
     * Checks the settings.
     *
     * @throws IllegalArgumentException if {@code tMax < 1} or {@code etaMin} is negative or not finite
     */
    public CosineAnnealingLROptions {
        LRScheduler.checkPositive("tMax", tMax);
        LRScheduler.checkNonNegative("etaMin", etaMin);
    }

    /**
     * Cosine annealing to 0 over {@code tMax} epochs.
     *
     * @throws IllegalArgumentException if {@code tMax < 1}
     */
    public CosineAnnealingLROptions(int tMax) {
        this(tMax, 0);
    }

    /**
     * The rate at {@code epoch} for base rate {@code baseLr}:
     * {@code etaMin + (baseLr - etaMin) * (1 + cos(pi * epoch / tMax)) / 2}.
     */
    @Override
    public double lr(double baseLr, int epoch) {
        return etaMin + (baseLr - etaMin) * (1 + Math.cos(Math.PI * epoch / tMax)) / 2;
    }

    /** {@code new CosineAnnealingLR(optimizer, this)}. */
    @Override
    public CosineAnnealingLR build(Optimizer optimizer) {
        return new CosineAnnealingLR(optimizer, this);
    }
}
