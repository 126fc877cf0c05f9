package dev.jtorch.optim;

import java.lang.reflect.RecordComponent;
import java.util.List;
import java.util.Objects;
import java.util.StringJoiner;

/**
 * Sets an optimizer's learning rate once per epoch from a schedule, as PyTorch's
 * {@code torch.optim.lr_scheduler}.
 *
 * <p>Construction sets the rate for epoch 0; call {@link #step()} once after each epoch (after
 * that epoch's {@code optimizer.step()} calls), which moves to the next epoch and sets its rate.
 * The rate of epoch {@code e} is the schedule's closed form {@link #lrAt(int)} of the base rate:
 * the optimizer's rate when its first schedule was attached (PyTorch's {@code initial_lr}). It
 * equals PyTorch's recursive computation up to rounding (a few ulps).
 *
 * <p>{@link #state()} and {@link #loadState(SchedulerState)} save and restore the epoch count and
 * base rate. Learning rates are set on every parameter group through {@link Optimizer#lr(double)};
 * a schedule keeps no native memory and needs no closing.
 *
 * <p>Subclasses implement {@link #lr(double, int)} and {@link #toString()}, and call
 * {@link #begin()} as the last statement of their constructors.
 */
public abstract class LRScheduler {
    private final Optimizer optimizer;
    private double baseLr;
    private int epoch;
    private double lastLr = Double.NaN;
    private boolean begun;

    /**
     * Attaches to {@code optimizer}, taking its initial learning rate as the base rate.
     *
     * @throws NullPointerException if {@code optimizer} is null
     */
    protected LRScheduler(Optimizer optimizer) {
        this.optimizer = Objects.requireNonNull(optimizer, "optimizer");
        this.baseLr = optimizer.initialLr();
    }

    /** Attaches to {@code optimizer} with a base rate of the schedule's own ({@link OneCycleLR}). */
    LRScheduler(Optimizer optimizer, double baseLr) {
        this.optimizer = Objects.requireNonNull(optimizer, "optimizer");
        this.baseLr = baseLr;
    }

    /**
     * Sets the rate of epoch 0; subclass constructors call this last.
     *
     * @throws IllegalStateException if called twice
     */
    protected final void begin() {
        if (begun) {
            throw new IllegalStateException(this + ": begin() called twice");
        }
        begun = true;
        apply();
    }

    /**
     * The schedule's rate at {@code epoch} (counted from 0) for base rate {@code baseLr}.
     *
     * <p>Must be a pure function of its arguments and the schedule's settings, returning a finite,
     * non-negative rate.
     */
    protected abstract double lr(double baseLr, int epoch);

    /**
     * The rate this schedule gives epoch {@code epoch}, without changing anything.
     *
     * @throws IllegalArgumentException if {@code epoch} is negative
     */
    public final double lrAt(int epoch) {
        if (epoch < 0) {
            throw new IllegalArgumentException("negative epoch: " + epoch);
        }
        return lr(baseLr, epoch);
    }

    /**
     * Moves to the next epoch and sets its learning rate on the optimizer.
     *
     * @throws IllegalStateException if the subclass never called {@link #begin()}, or the
     *     schedule has no next epoch ({@link OneCycleLR} past its total steps); nothing changes then
     */
    public final void step() {
        checkBegun();
        if (epoch == Integer.MAX_VALUE) {
            throw new IllegalStateException(this + ": epoch count overflow");
        }
        // computed before the epoch advances, so a schedule that refuses the next epoch
        // (OneCycleLR past its last step) leaves everything as it was
        double lr = lr(baseLr, epoch + 1);
        epoch++;
        set(lr);
    }

    /** The learning rate this schedule last set (PyTorch's {@code get_last_lr()[0]}). */
    public final double lastLr() {
        checkBegun();
        return lastLr;
    }

    /** The current epoch: 0 after construction, then one more per {@link #step()} (PyTorch's {@code last_epoch}). */
    public final int epoch() {
        return epoch;
    }

    /** The base learning rate the schedule scales (PyTorch's {@code base_lrs[0]}). */
    public final double baseLr() {
        return baseLr;
    }

    /** The optimizer whose learning rate this schedule sets. */
    public final Optimizer optimizer() {
        return optimizer;
    }

    /** The schedule's position, for a checkpoint: its description, epoch and base rate. */
    public final SchedulerState state() {
        return new SchedulerState(toString(), epoch, baseLr);
    }

    /**
     * Continues from a saved {@link #state()}: restores the epoch and base rate and sets the
     * optimizer's learning rate to that epoch's (so the order of loading optimizer and schedule
     * state does not matter).
     *
     * @throws IllegalArgumentException if the state belongs to a different schedule (another
     *     kind, or other settings), naming both
     */
    public final void loadState(SchedulerState state) {
        Objects.requireNonNull(state, "state");
        checkBegun();
        if (!state.schedule().equals(toString())) {
            throw new IllegalArgumentException("schedule state of " + state.schedule() + " cannot be loaded into "
                    + this);
        }
        double lr = lr(state.baseLr(), state.epoch());
        baseLr = state.baseLr();
        epoch = state.epoch();
        set(lr);
    }

    /** A description with the schedule's kind and settings, e.g. {@code StepLR(stepSize=3, gamma=0.5)}. */
    @Override
    public abstract String toString();

    private void apply() {
        set(lr(baseLr, epoch));
    }

    private void set(double lr) {
        optimizer.lr(lr);
        lastLr = lr;
        applied(epoch);
    }

    /** Called after the rate of {@code epoch} was set; {@link OneCycleLR} sets the momentum here. */
    void applied(int epoch) {
    }

    private void checkBegun() {
        if (!begun) {
            throw new IllegalStateException(getClass().getName() + " constructor did not call begin()");
        }
    }

    /**
     * {@code KIND(name=value, ...)} over the components of {@code settings}, in order: a schedule's
     * {@link #toString()}, which its saved state must match.
     */
    static String describe(String kind, Record settings) {
        StringJoiner out = new StringJoiner(", ", kind + "(", ")");
        for (RecordComponent c : settings.getClass().getRecordComponents()) {
            try {
                out.add(c.getName() + "=" + c.getAccessor().invoke(settings));
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("cannot read " + c + " of " + kind, e); // public accessors
            }
        }
        return out.toString();
    }

    static void checkFinite(String what, double v) {
        if (!Double.isFinite(v)) {
            throw new IllegalArgumentException("invalid " + what + ": " + v);
        }
    }

    /**
     * Refuses a rate or factor that is not finite and {@code >= 0}.
     *
     * @throws IllegalArgumentException {@code invalid WHAT: VALUE}, with {@code (must be >= 0)}
     *     for a negative one
     */
    static void checkNonNegative(String what, double v) {
        checkFinite(what, v);
        if (v < 0) {
            throw new IllegalArgumentException("invalid " + what + ": " + v + " (must be >= 0)");
        }
    }

    /**
     * Refuses a count of epochs or steps below 1.
     *
     * @throws IllegalArgumentException {@code invalid WHAT: VALUE (must be >= 1)}
     */
    static void checkPositive(String what, int v) {
        if (v < 1) {
            throw new IllegalArgumentException("invalid " + what + ": " + v + " (must be >= 1)");
        }
    }

    /**
     * Refuses a start factor outside (0, 1] (PyTorch's {@code LinearLR} check).
     *
     * @throws IllegalArgumentException {@code invalid startFactor: VALUE (must be in (0, 1])}
     */
    static void checkStartFactor(double startFactor) {
        if (!(startFactor > 0 && startFactor <= 1)) {
            throw new IllegalArgumentException("invalid startFactor: " + startFactor + " (must be in (0, 1])");
        }
    }

    /**
     * Refuses milestones that are not strictly increasing and at least {@code min}.
     *
     * @throws IllegalArgumentException {@code PREFIX [milestones] SUFFIX}
     */
    static void checkMilestones(List<Integer> milestones, int min, String prefix, String suffix) {
        for (int i = 0; i < milestones.size(); i++) {
            if (milestones.get(i) < min || (i > 0 && milestones.get(i) <= milestones.get(i - 1))) {
                throw new IllegalArgumentException(prefix + milestones + suffix);
            }
        }
    }
}
