package dev.jtorch.optim;

import java.util.Arrays;

/**
 * Multiplies the learning rate by {@code gamma} at each milestone epoch, as PyTorch's
 * {@code MultiStepLR} in its closed form: {@code lr(e) = baseLr * gamma^(number of milestones <= e)}.
 */
public final class MultiStepLR extends LRScheduler {
    private final int[] milestones;
    private final double gamma;

    /**
     * Attaches to {@code optimizer} and sets the rate of epoch 0.
     *
     * @throws IllegalArgumentException if {@code milestones} is empty, holds a negative epoch or is
     *     not strictly increasing, or if {@code gamma} is negative or not finite
     */
    public MultiStepLR(Optimizer optimizer, int[] milestones, double gamma) {
        super(optimizer);
        if (milestones.length == 0) {
            throw new IllegalArgumentException("MultiStepLR needs at least one milestone");
        }
        for (int i = 0; i < milestones.length; i++) {
            if (milestones[i] < 0 || (i > 0 && milestones[i] <= milestones[i - 1])) {
                throw new IllegalArgumentException("invalid milestones: " + Arrays.toString(milestones)
                        + " (must be non-negative and strictly increasing)");
            }
        }
        checkFinite("gamma", gamma);
        if (gamma < 0) {
            throw new IllegalArgumentException("invalid gamma: " + gamma + " (must be >= 0)");
        }
        this.milestones = milestones.clone();
        this.gamma = gamma;
        begin();
    }

    /** Decays by PyTorch's default {@code gamma = 0.1} at each of {@code milestones}. */
    public MultiStepLR(Optimizer optimizer, int... milestones) {
        this(optimizer, milestones, 0.1);
    }

    /** The epochs at which the rate is multiplied by {@link #gamma()}. */
    public int[] milestones() {
        return milestones.clone();
    }

    /** The decay factor. */
    public double gamma() {
        return gamma;
    }

    @Override
    protected double lr(double baseLr, int epoch) {
        int passed = 0;
        while (passed < milestones.length && milestones[passed] <= epoch) {
            passed++;
        }
        return baseLr * Math.pow(gamma, passed);
    }

    @Override
    public String toString() {
        return "MultiStepLR(milestones=" + Arrays.toString(milestones) + ", gamma=" + gamma + ")";
    }
}
