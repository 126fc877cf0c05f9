package dev.jtorch.optim;

import java.util.Objects;

/**
 * Settings of {@link OneCycleLR}, with PyTorch's defaults (pctStart 0.3, cosine annealing,
 * momentum cycled between 0.85 and 0.95, divFactor 25, finalDivFactor 1e4, two phases).
 *
 * <pre>{@code OneCycleLROptions.of(0.1, 1000).withAnnealStrategy(OneCycleLR.AnnealStrategy.LINEAR)}</pre>
 *
 * @param maxLr the peak learning rate
 * @param totalSteps steps in the cycle (PyTorch's {@code total_steps}, or {@code epochs * steps_per_epoch})
 * @param pctStart fraction of the cycle spent raising the rate
 * @param annealStrategy how the rate moves between its phase ends
 * @param cycleMomentum whether the momentum (Adam, AdamW: the first beta) moves inversely to the rate
 * @param baseMomentum the lowest momentum, reached with the peak rate
 * @param maxMomentum the highest momentum, at the start and end of the cycle
 * @param divFactor the initial rate is {@code maxLr / divFactor}
 * @param finalDivFactor the final rate is the initial rate {@code / finalDivFactor}
 * @param threePhase a third phase: up to {@code maxLr}, back down to the initial rate
 *     symmetrically, then on to the final rate (fast.ai's variant), instead of two
 */
public record OneCycleLROptions(double maxLr, int totalSteps, double pctStart, OneCycleLR.AnnealStrategy annealStrategy,
                                boolean cycleMomentum, double baseMomentum, double maxMomentum, double divFactor,
                                double finalDivFactor, boolean threePhase)
        implements SchedulerConfig<OneCycleLR>, OneCycleLROptionsCopies {
    /**
     * Checks the settings.
     *
     * @throws IllegalArgumentException naming the bad setting
     */
    public OneCycleLROptions {
        if (!(maxLr > 0) || Double.isInfinite(maxLr)) {
            throw new IllegalArgumentException("invalid maxLr: " + maxLr + " (must be positive and finite)");
        }
        if (totalSteps < 1) {
            throw new IllegalArgumentException("invalid totalSteps: " + totalSteps + " (must be >= 1)");
        }
        if (!(pctStart >= 0 && pctStart <= 1)) {
            throw new IllegalArgumentException("invalid pctStart: " + pctStart + " (must be in [0, 1])");
        }
        Objects.requireNonNull(annealStrategy, "annealStrategy");
        if (!(baseMomentum >= 0) || Double.isInfinite(baseMomentum)) {
            throw new IllegalArgumentException("invalid baseMomentum: " + baseMomentum);
        }
        if (!(maxMomentum >= 0) || Double.isInfinite(maxMomentum)) {
            throw new IllegalArgumentException("invalid maxMomentum: " + maxMomentum);
        }
        if (!(divFactor > 0) || Double.isInfinite(divFactor)) {
            throw new IllegalArgumentException("invalid divFactor: " + divFactor + " (must be positive and finite)");
        }
        if (!(finalDivFactor > 0) || Double.isInfinite(finalDivFactor)) {
            throw new IllegalArgumentException("invalid finalDivFactor: " + finalDivFactor
                    + " (must be positive and finite)");
        }
    }

    /** PyTorch's defaults for a cycle of {@code totalSteps} steps peaking at {@code maxLr}. */
    public static OneCycleLROptions of(double maxLr, int totalSteps) {
        return new OneCycleLROptions(maxLr, totalSteps, 0.3, OneCycleLR.AnnealStrategy.COS, true, 0.85, 0.95, 25,
                1e4, false);
    }

    /**
     * PyTorch's defaults for a cycle of {@code epochs * stepsPerEpoch} steps.
     *
     * @throws IllegalArgumentException if either count is below 1 or their product overflows an int
     */
    public static OneCycleLROptions of(double maxLr, int epochs, int stepsPerEpoch) {
        if (epochs < 1) {
            throw new IllegalArgumentException("invalid epochs: " + epochs + " (must be >= 1)");
        }
        if (stepsPerEpoch < 1) {
            throw new IllegalArgumentException("invalid stepsPerEpoch: " + stepsPerEpoch + " (must be >= 1)");
        }
        long total = (long) epochs * stepsPerEpoch;
        if (total > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("epochs * stepsPerEpoch = " + total + " is too large");
        }
        return of(maxLr, (int) total);
    }

    /** {@code new OneCycleLR(optimizer, this)}. */
    @Override
    public OneCycleLR build(Optimizer optimizer) {
        return new OneCycleLR(optimizer, this);
    }
}
