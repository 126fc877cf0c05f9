package dev.jtorch.optim;

/**
 * Multiplies the learning rate by {@code gamma} every {@code stepSize} epochs, as PyTorch's
 * {@code StepLR}: {@code lr(e) = baseLr * gamma^floor(e / stepSize)}.
 */
public final class StepLR extends LRScheduler {
    private final int stepSize;
    private final double gamma;

    /**
     * Attaches to {@code optimizer} and sets the rate of epoch 0 (the base rate).
     *
     * @throws IllegalArgumentException if {@code stepSize < 1} or {@code gamma} is negative or not finite
     */
    public StepLR(Optimizer optimizer, int stepSize, double gamma) {
        super(optimizer);
        if (stepSize < 1) {
            throw new IllegalArgumentException("invalid step size: " + stepSize + " (must be >= 1)");
        }
        checkFinite("gamma", gamma);
        if (gamma < 0) {
            throw new IllegalArgumentException("invalid gamma: " + gamma + " (must be >= 0)");
        }
        this.stepSize = stepSize;
        this.gamma = gamma;
        begin();
    }

    /** Epochs between decays. */
    public int stepSize() {
        return stepSize;
    }

    /** The decay factor. */
    public double gamma() {
        return gamma;
    }

    @Override
    protected double lr(double baseLr, int epoch) {
        return baseLr * Math.pow(gamma, epoch / stepSize);
    }

    @Override
    public String toString() {
        return "StepLR(stepSize=" + stepSize + ", gamma=" + gamma + ")";
    }
}
