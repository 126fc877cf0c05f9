package dev.jtorch.amp;

/**
 * Settings of {@link GradScaler}, with PyTorch's defaults (initial scale 2^16, growth factor 2,
 * backoff factor 0.5, growth interval 2000, enabled).
 *
 * <pre>{@code GradScalerOptions.defaults().withInitScale(1024).withGrowthInterval(500)}</pre>
 *
 * @param initScale the first loss scale
 * @param growthFactor the scale is multiplied by this after {@code growthInterval} consecutive
 *     steps without inf/NaN gradients
 * @param backoffFactor the scale is multiplied by this after a step with inf/NaN gradients
 * @param growthInterval consecutive good steps between growths
 * @param enabled false makes every scaler call a pass-through ({@code scale} returns the loss,
 *     {@code step} just steps), so one training loop serves with and without scaling
 */
public record GradScalerOptions(double initScale, double growthFactor, double backoffFactor, int growthInterval,
                                boolean enabled) implements GradScalerOptionsCopies {
    /**
     * Checks the settings as PyTorch does.
     *
     * @throws IllegalArgumentException naming the bad setting
     */
    public GradScalerOptions {
        if (!(initScale > 0) || Double.isInfinite(initScale)) {
            throw new IllegalArgumentException("GradScaler: initScale must be a positive finite number, got " + initScale);
        }
        if (!(growthFactor > 1.0) || Double.isInfinite(growthFactor)) {
            throw new IllegalArgumentException("GradScaler: growthFactor must be > 1.0, got " + growthFactor);
        }
        if (!(backoffFactor < 1.0 && backoffFactor > 0)) {
            throw new IllegalArgumentException("GradScaler: backoffFactor must be in (0, 1), got " + backoffFactor);
        }
        if (growthInterval <= 0) {
            throw new IllegalArgumentException("GradScaler: growthInterval must be > 0, got " + growthInterval);
        }
    }

    /** PyTorch's defaults: 65536, 2.0, 0.5, 2000, enabled. */
    public static GradScalerOptions defaults() {
        return new GradScalerOptions(65536.0, 2.0, 0.5, 2000, true);
    }
}
