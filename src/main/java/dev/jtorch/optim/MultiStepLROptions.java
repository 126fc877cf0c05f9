package dev.jtorch.optim;

import java.util.Arrays;
import java.util.List;

/**
 * Settings of {@link MultiStepLR}, with PyTorch's default {@code gamma = 0.1}.
 *
 * <pre>{@code MultiStepLROptions.of(30, 80).withGamma(0.5)}</pre>
 *
 * @param milestones the epochs at which the rate is multiplied by {@code gamma}
 * @param gamma the decay factor
 */
public record MultiStepLROptions(List<Integer> milestones, double gamma) implements SchedulerConfig<MultiStepLR>,
        ClosedForm, MultiStepLROptionsCopies {
    /**
     * Checks the settings.
     *
     * @throws IllegalArgumentException if {@code milestones} is empty, holds a negative epoch or is
     *     not strictly increasing, or if {@code gamma} is negative or not finite
     * @throws NullPointerException if {@code milestones} is or holds null
     */
    public MultiStepLROptions {
        milestones = List.copyOf(milestones);
        if (milestones.isEmpty()) {
            throw new IllegalArgumentException("MultiStepLR needs at least one milestone");
        }
        LRScheduler.checkMilestones(milestones, 0, "invalid milestones: ",
                " (must be non-negative and strictly increasing)");
        LRScheduler.checkNonNegative("gamma", gamma);
    }

    /** Decays by PyTorch's default {@code gamma = 0.1} at each of {@code milestones}. */
    public static MultiStepLROptions of(int... milestones) {
        return new MultiStepLROptions(Arrays.stream(milestones).boxed().toList(), 0.1);
    }

    /** The rate at {@code epoch} for base rate {@code baseLr}: {@code baseLr * gamma^(milestones <= epoch)}. */
    @Override
    public double lr(double baseLr, int epoch) {
        int passed = 0;
        while (passed < milestones.size() && milestones.get(passed) <= epoch) {
            passed++;
        }
        return baseLr * Math.pow(gamma, passed);
    }

    /** {@code new MultiStepLR(optimizer, this)}. */
    @Override
    public MultiStepLR build(Optimizer optimizer) {
        return new MultiStepLR(optimizer, this);
    }
}
