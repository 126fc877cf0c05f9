package dev.jtorch.optim;

import java.util.List;
import java.util.Objects;

/**
 * Reduces the learning rate when a metric stops improving, as PyTorch's
 * {@code ReduceLROnPlateau}: after more than {@code patience} epochs without an improvement
 * (beyond {@code threshold}) the rate is multiplied by {@code factor}, down to {@code minLr}, then
 * {@code cooldown} epochs pass before bad epochs count again.
 *
 * <p>Not an {@link LRScheduler}: there is no formula of the epoch, the rate depends on the
 * metrics seen. Call {@link #step(double)} once per epoch with that epoch's metric (e.g. the
 * validation loss). Construction leaves the rate as it is. A schedule keeps no native memory and
 * needs no closing.
 *
 * <p>{@link #state()} holds the epoch count, the optimizer's current rate (in
 * {@link SchedulerState#baseLr()}) and, in {@link SchedulerState#values()}, the best metric, the
 * bad-epoch count and the cooldown counter; {@link #loadState} restores all of them, the rate
 * included.
 */
public final class ReduceLROnPlateau {
    /** Whether a lower or a higher metric is better. */
    public enum Mode {
        /** The metric should fall (PyTorch's {@code 'min'}). */
        MIN,
        /** The metric should rise (PyTorch's {@code 'max'}). */
        MAX
    }

    /** How {@code threshold} compares a metric to the best so far. */
    public enum ThresholdMode {
        /** Better by a fraction of the best (PyTorch's {@code 'rel'}). */
        REL,
        /** Better by an absolute amount (PyTorch's {@code 'abs'}). */
        ABS
    }

    private final Optimizer optimizer;
    private final ReduceLROnPlateauOptions options;
    private int epoch;
    private double best;
    private int numBadEpochs;
    private int cooldownCounter;
    private double lastLr;

    /**
     * Attaches to {@code optimizer}; its rate is unchanged until a plateau.
     *
     * @throws NullPointerException if an argument is null
     */
    public ReduceLROnPlateau(Optimizer optimizer, ReduceLROnPlateauOptions options) {
        this.optimizer = Objects.requireNonNull(optimizer, "optimizer");
        this.options = Objects.requireNonNull(options, "options");
        this.best = worst();
        this.lastLr = optimizer.lr();
    }

    /** With PyTorch's defaults. */
    public ReduceLROnPlateau(Optimizer optimizer) {
        this(optimizer, ReduceLROnPlateauOptions.defaults());
    }

    private double worst() {
        return options.mode() == Mode.MIN ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
    }

    /**
     * Ends an epoch whose metric was {@code metric}, reducing the rate if the metric has not
     * improved for more than {@code patience} epochs. A NaN metric counts as no improvement, as
     * in PyTorch.
     *
     * @throws IllegalStateException if the epoch count would overflow
     */
    public void step(double metric) {
        if (epoch == Integer.MAX_VALUE) {
            throw new IllegalStateException(this + ": epoch count overflow");
        }
        epoch++;
        if (isBetter(metric, best)) {
            best = metric;
            numBadEpochs = 0;
        } else {
            numBadEpochs++;
        }
        if (cooldownCounter > 0) {
            cooldownCounter--;
            numBadEpochs = 0; // bad epochs in cooldown are ignored
        }
        if (numBadEpochs > options.patience()) {
            double oldLr = optimizer.lr();
            double newLr = Math.max(oldLr * options.factor(), options.minLr());
            if (oldLr - newLr > options.eps()) {
                optimizer.lr(newLr);
            }
            cooldownCounter = options.cooldown();
            numBadEpochs = 0;
        }
        lastLr = optimizer.lr();
    }

    private boolean isBetter(double a, double best) {
        double t = options.threshold();
        if (options.mode() == Mode.MIN) {
            return options.thresholdMode() == ThresholdMode.REL ? a < best * (1.0 - t) : a < best - t;
        }
        return options.thresholdMode() == ThresholdMode.REL ? a > best * (t + 1.0) : a > best + t;
    }

    /** The rate after the last {@link #step(double)} (the optimizer's rate before the first). */
    public double lastLr() {
        return lastLr;
    }

    /** Epochs stepped so far (PyTorch's {@code last_epoch}). */
    public int epoch() {
        return epoch;
    }

    /** The best metric so far (infinitely bad before the first step). */
    public double best() {
        return best;
    }

    /** Epochs since the last improvement, as counted towards {@code patience}. */
    public int numBadEpochs() {
        return numBadEpochs;
    }

    /** Epochs of cooldown left. */
    public int cooldownCounter() {
        return cooldownCounter;
    }

    /** The settings. */
    public ReduceLROnPlateauOptions options() {
        return options;
    }

    /** The optimizer whose learning rate this schedule sets. */
    public Optimizer optimizer() {
        return optimizer;
    }

    /** The schedule's position, for a checkpoint; see the class comment. */
    public SchedulerState state() {
        return new SchedulerState(toString(), epoch, optimizer.lr(),
                List.of(best, (double) numBadEpochs, (double) cooldownCounter));
    }

    /**
     * Continues from a saved {@link #state()}: restores the counters, the best metric and the
     * optimizer's learning rate.
     *
     * @throws IllegalArgumentException if the state belongs to a different schedule (another
     *     kind, or other settings), naming both, or its values are not those of this schedule
     */
    public void loadState(SchedulerState state) {
        Objects.requireNonNull(state, "state");
        if (!state.schedule().equals(toString())) {
            throw new IllegalArgumentException("schedule state of " + state.schedule() + " cannot be loaded into "
                    + this);
        }
        List<Double> v = state.values();
        if (v.size() != 3 || !isCount(v.get(1)) || !isCount(v.get(2)) || Double.isNaN(v.get(0))) {
            throw new IllegalArgumentException("not a ReduceLROnPlateau state: values " + v
                    + " (expected best, bad epochs, cooldown counter)");
        }
        optimizer.lr(state.baseLr());
        epoch = state.epoch();
        best = v.get(0);
        numBadEpochs = (int) (double) v.get(1);
        cooldownCounter = (int) (double) v.get(2);
        lastLr = optimizer.lr();
    }

    private static boolean isCount(double d) {
        return d >= 0 && d <= Integer.MAX_VALUE && d == Math.rint(d);
    }

    /** A description with the settings, e.g. {@code ReduceLROnPlateau(mode=MIN, factor=0.1, ...)}. */
    @Override
    public String toString() {
        return LRScheduler.describe("ReduceLROnPlateau", options);
    }
}
