package dev.jtorch.optim;

/**
 * Cosine annealing from the base rate down to {@code etaMin} over {@code tMax} epochs, as PyTorch's
 * {@code CosineAnnealingLR} in its closed form:
 * {@code lr(e) = etaMin + (baseLr - etaMin) * (1 + cos(pi * e / tMax)) / 2}.
 *
 * <p>As in PyTorch, the curve continues past {@code tMax} (rising again towards the base rate at
 * {@code 2 * tMax}); there is no restart.
 */
public final class CosineAnnealingLR extends LRScheduler {
    private final int tMax;
    private final double etaMin;

    /**
     * Attaches to {@code optimizer} and sets the rate of epoch 0 (the base rate).
     *
     * @throws IllegalArgumentException if {@code tMax < 1} or {@code etaMin} is negative or not finite
     */
    public CosineAnnealingLR(Optimizer optimizer, int tMax, double etaMin) {
        super(optimizer);
        if (tMax < 1) {
            throw new IllegalArgumentException("invalid tMax: " + tMax + " (must be >= 1)");
        }
        checkFinite("etaMin", etaMin);
        if (etaMin < 0) {
            throw new IllegalArgumentException("invalid etaMin: " + etaMin + " (must be >= 0)");
        }
        this.tMax = tMax;
        this.etaMin = etaMin;
        begin();
    }

    /** Cosine annealing to 0 over {@code tMax} epochs. */
    public CosineAnnealingLR(Optimizer optimizer, int tMax) {
        this(optimizer, tMax, 0);
    }

    /** Epochs from the base rate to {@code etaMin}. */
    public int tMax() {
        return tMax;
    }

    /** The lowest rate. */
    public double etaMin() {
        return etaMin;
    }

    @Override
    protected double lr(double baseLr, int epoch) {
        return etaMin + (baseLr - etaMin) * (1 + Math.cos(Math.PI * epoch / tMax)) / 2;
    }

    @Override
    public String toString() {
        return "CosineAnnealingLR(tMax=" + tMax + ", etaMin=" + etaMin + ")";
    }
}
