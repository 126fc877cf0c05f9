package dev.jtorch.optim;

/**
 * Cosine annealing from the base rate down to {@code etaMin} over {@code tMax} epochs, as PyTorch's
 * {@code CosineAnnealingLR} in its closed form:
 * {@code lr(e) = etaMin + (baseLr - etaMin) * (1 + cos(pi * e / tMax)) / 2}.
 *
 * <p>As in PyTorch, the curve continues past {@code tMax} (rising again towards the base rate at
 * {@code 2 * tMax}); there is no restart.
 */
public final class CosineAnnealingLR extends ConfiguredScheduler<CosineAnnealingLROptions> {
    /**
     * Attaches to {@code optimizer} and sets the rate of epoch 0 (the base rate).
     *
     * @throws IllegalArgumentException if {@code tMax < 1} or {@code etaMin} is negative or not finite
     */
    public CosineAnnealingLR(Optimizer optimizer, int tMax, double etaMin) {
        this(optimizer, new CosineAnnealingLROptions(tMax, etaMin));
    }

    /** Cosine annealing to 0 over {@code tMax} epochs. */
    public CosineAnnealingLR(Optimizer optimizer, int tMax) {
        this(optimizer, tMax, 0);
    }

    /** Attaches to {@code optimizer} and sets the rate of epoch 0 (the base rate). */
    public CosineAnnealingLR(Optimizer optimizer, CosineAnnealingLROptions options) {
        super(optimizer, options);
    }
}
