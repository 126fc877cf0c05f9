package dev.jtorch.optim;

import java.util.Objects;

/**
 * A closed-form schedule whose settings are its options record: the one construction, formula
 * and description of those schedules. It sets the rate of epoch 0 ({@link #begin()}) itself,
 * which is safe because the rate comes from the record alone ({@link ClosedForm#lr}).
 *
 * @param <O> the options record of the schedule
 */
abstract class ConfiguredScheduler<O extends Record & ClosedForm & SchedulerConfig<?>> extends LRScheduler {
    private final O options;

    ConfiguredScheduler(Optimizer optimizer, O options) {
        super(optimizer);
        this.options = Objects.requireNonNull(options, "options");
        begin();
    }

    /** The settings of this schedule. */
    public O options() {
        return options;
    }

    @Override
    protected final double lr(double baseLr, int epoch) {
        return options.lr(baseLr, epoch);
    }

    @Override
    public final String toString() {
        return describe(getClass().getSimpleName(), options);
    }
}
