package dev.jtorch.optim;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Runs schedules one after another, switching at milestone epochs, as PyTorch's
 * {@code SequentialLR}: before {@code milestones[0]} the first schedule sets the rate; from
 * {@code milestones[i - 1]} on, schedule {@code i} does, restarted at its own epoch 0.
 *
 * <p>The usual warm-up then cosine decay is {@link #warmupCosine}. The child schedules only
 * supply their formulas: they are not stepped and should not be used on their own once joined.
 */
public final class SequentialLR extends LRScheduler {
    private final List<LRScheduler> schedulers;
    private final int[] milestones;

    /**
     * Joins {@code schedulers} (all on {@code optimizer}) at {@code milestones} and sets the rate
     * of epoch 0 (the first schedule's).
     *
     * @throws IllegalArgumentException if a schedule belongs to another optimizer, there is not
     *     exactly one milestone fewer than schedules, or the milestones are not positive and
     *     strictly increasing
     */
    public SequentialLR(Optimizer optimizer, List<? extends LRScheduler> schedulers, int... milestones) {
        super(optimizer);
        for (int i = 0; i < schedulers.size(); i++) {
            if (schedulers.get(i).optimizer() != optimizer) {
                throw new IllegalArgumentException("schedule " + i + " (" + schedulers.get(i)
                        + ") belongs to a different optimizer");
            }
        }
        checkJoin(schedulers.size(), Arrays.stream(milestones).boxed().toList());
        this.schedulers = List.copyOf(schedulers);
        this.milestones = milestones.clone();
        begin();
    }

    /**
     * Linear warm-up then cosine decay: equals PyTorch's
     * {@code SequentialLR(optimizer, [LinearLR(optimizer, start_factor=startFactor, total_iters=warmupSteps),
     * CosineAnnealingLR(optimizer, T_max=tMax, eta_min=etaMin)], milestones=[warmupSteps])}.
     *
     * <p>The rate rises from {@code startFactor * baseLr} at epoch 0 to {@code baseLr} at epoch
     * {@code warmupSteps}, then falls along a cosine to {@code etaMin} at epoch
     * {@code warmupSteps + tMax}.
     *
     * @throws IllegalArgumentException for the arguments {@link LinearWarmup} and
     *     {@link CosineAnnealingLR} reject
     */
    public static SequentialLR warmupCosine(Optimizer optimizer, int warmupSteps, double startFactor, int tMax,
                                            double etaMin) {
        return SequentialLROptions.warmupCosine(warmupSteps, startFactor, tMax, etaMin).build(optimizer);
    }

    /** The checks of {@link SequentialLR} and {@link SequentialLROptions} on what is joined where. */
    static void checkJoin(int schedules, List<Integer> milestones) {
        if (schedules == 0) {
            throw new IllegalArgumentException("SequentialLR needs at least one schedule");
        }
        if (milestones.size() != schedules - 1) {
            throw new IllegalArgumentException("SequentialLR needs one milestone fewer than schedules: got "
                    + schedules + " schedules and " + milestones.size() + " milestones");
        }
        checkMilestones(milestones, 1, "milestones must be positive and strictly increasing: ", "");
    }

    /** The joined schedules, in order. */
    public List<LRScheduler> schedulers() {
        return schedulers;
    }

    /** The epochs at which the next schedule takes over. */
    public int[] milestones() {
        return milestones.clone();
    }

    @Override
    protected double lr(double baseLr, int epoch) {
        int idx = 0;
        while (idx < milestones.length && epoch >= milestones[idx]) {
            idx++;
        }
        int start = idx == 0 ? 0 : milestones[idx - 1];
        return schedulers.get(idx).lr(baseLr, epoch - start);
    }

    @Override
    public String toString() {
        return "SequentialLR(" + schedulers.stream().map(Object::toString).collect(Collectors.joining(", ", "[", "]"))
                + ", milestones=" + Arrays.toString(milestones) + ")";
    }
}
