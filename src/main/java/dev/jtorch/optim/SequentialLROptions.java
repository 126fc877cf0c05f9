package dev.jtorch.optim;

import java.util.ArrayList;
import java.util.List;

/**
 * Settings of {@link SequentialLR}: the schedules to join, as their settings, and the epochs at
 * which each next one takes over.
 *
 * <pre>{@code SequentialLROptions.warmupCosine(5, 0.1, 95, 0).build(optimizer)}</pre>
 *
 * @param schedulers the schedules, in order; {@link #build} attaches each to the optimizer
 * @param milestones the epochs at which the next schedule takes over, one fewer than schedules
 */
public record SequentialLROptions(List<SchedulerConfig<? extends LRScheduler>> schedulers, List<Integer> milestones)
        implements SchedulerConfig<SequentialLR> {
    /**
     * Checks the settings.
     *
     * @throws IllegalArgumentException if there is not exactly one milestone fewer than
     *     schedules, or the milestones are not positive and strictly increasing
     * @throws NullPointerException if a list is or holds null
     */
    public SequentialLROptions {
        schedulers = List.copyOf(schedulers);
        milestones = List.copyOf(milestones);
        SequentialLR.checkJoin(schedulers.size(), milestones);
    }

    /**
     * Linear warm-up then cosine decay, as {@link SequentialLR#warmupCosine}.
     *
     * @throws IllegalArgumentException for the arguments {@link LinearWarmupOptions} and
     *     {@link CosineAnnealingLROptions} reject
     */
    public static SequentialLROptions warmupCosine(int warmupSteps, double startFactor, int tMax, double etaMin) {
        return new SequentialLROptions(
                List.of(new LinearWarmupOptions(warmupSteps, startFactor), new CosineAnnealingLROptions(tMax, etaMin)),
                List.of(warmupSteps));
    }

    /** Attaches each schedule to {@code optimizer}, in order, then joins them. */
    @Override
    public SequentialLR build(Optimizer optimizer) {
        List<LRScheduler> joined = new ArrayList<>(schedulers.size());
        for (SchedulerConfig<? extends LRScheduler> schedule : schedulers) {
            joined.add(schedule.build(optimizer));
        }
        return new SequentialLR(optimizer, joined, milestones.stream().mapToInt(Integer::intValue).toArray());
    }
}
