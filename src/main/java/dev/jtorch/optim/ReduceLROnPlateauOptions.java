package dev.jtorch.optim;

import java.util.Objects;

/**
 * Settings of {@link ReduceLROnPlateau}, with PyTorch's defaults (minimise, factor 0.1, patience
 * 10, relative threshold 1e-4, no cooldown, no lower bound, eps 1e-8).
 *
 * <pre>{@code ReduceLROnPlateauOptions.defaults().withMode(ReduceLROnPlateau.Mode.MAX).withPatience(3)}</pre>
 *
 * @param mode whether the metric should fall (loss) or rise (accuracy)
 * @param factor the rate is multiplied by this on a plateau
 * @param patience epochs without improvement tolerated before reducing
 * @param threshold how much better than the best a metric must be to count as an improvement
 * @param thresholdMode whether {@code threshold} is relative to the best or absolute
 * @param cooldown epochs after a reduction during which bad epochs are not counted
 * @param minLr the rate never goes below this
 * @param eps a reduction smaller than this is skipped
 */
public record ReduceLROnPlateauOptions(ReduceLROnPlateau.Mode mode, double factor, int patience, double threshold,
                                       ReduceLROnPlateau.ThresholdMode thresholdMode, int cooldown, double minLr,
                                       double eps)
        implements SchedulerConfig<ReduceLROnPlateau>, ReduceLROnPlateauOptionsCopies {
    /**
     * Checks the settings.
     *
     * @throws IllegalArgumentException naming the bad setting
     */
    public ReduceLROnPlateauOptions {
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(thresholdMode, "thresholdMode");
        if (!(factor >= 0 && factor < 1)) {
            throw new IllegalArgumentException("invalid factor: " + factor + " (must be in [0, 1))");
        }
        if (patience < 0) {
            throw new IllegalArgumentException("invalid patience: " + patience + " (must be >= 0)");
        }
        if (!(threshold >= 0) || Double.isInfinite(threshold)) {
            throw new IllegalArgumentException("invalid threshold: " + threshold);
        }
        if (cooldown < 0) {
            throw new IllegalArgumentException("invalid cooldown: " + cooldown + " (must be >= 0)");
        }
        if (!(minLr >= 0) || Double.isInfinite(minLr)) {
            throw new IllegalArgumentException("invalid minLr: " + minLr);
        }
        if (!(eps >= 0) || Double.isInfinite(eps)) {
            throw new IllegalArgumentException("invalid eps: " + eps);
        }
    }

    /** PyTorch's defaults. */
    public static ReduceLROnPlateauOptions defaults() {
        return new ReduceLROnPlateauOptions(ReduceLROnPlateau.Mode.MIN, 0.1, 10, 1e-4,
                ReduceLROnPlateau.ThresholdMode.REL, 0, 0, 1e-8);
    }

    /** {@code new ReduceLROnPlateau(optimizer, this)}. */
    @Override
    public ReduceLROnPlateau build(Optimizer optimizer) {
        return new ReduceLROnPlateau(optimizer, this);
    }
}
