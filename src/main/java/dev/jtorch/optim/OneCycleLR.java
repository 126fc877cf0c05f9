package dev.jtorch.optim;

import java.util.Objects;

/**
 * The 1cycle policy, as PyTorch's {@code OneCycleLR}: the rate rises from
 * {@code maxLr / divFactor} to {@code maxLr} over the first {@code pctStart} of the cycle, then
 * falls to {@code maxLr / divFactor / finalDivFactor}; the momentum (Adam, AdamW: the first beta)
 * moves the opposite way between {@code maxMomentum} and {@code baseMomentum}.
 *
 * <p>Unlike the epoch schedules, {@link #step()} is called after every optimizer step (every
 * batch). The cycle has {@code totalSteps} steps; as in PyTorch, epochs {@code 0..totalSteps}
 * exist and stepping past {@code totalSteps} is an error. Epoch {@code totalSteps} extrapolates
 * the last phase as PyTorch does, except that a negative rate (linear annealing overshooting the
 * final rate, where PyTorch sets a negative rate) becomes 0. The base rate ({@link #baseLr()}) is
 * the initial rate {@code maxLr / divFactor}.
 *
 * <p>As in PyTorch, attaching with momentum cycling sets the optimizer's momentum (SGD and
 * RMSprop, even when built without momentum) or first beta; {@link #loadState} restores it with
 * the rate.
 */
public final class OneCycleLR extends LRScheduler {
    /** How the rate and momentum move between the ends of a phase. */
    public enum AnnealStrategy {
        /** Half a cosine period (PyTorch's {@code 'cos'}). */
        COS,
        /** A straight line (PyTorch's {@code 'linear'}). */
        LINEAR
    }

    private final OneCycleLROptions options;
    /** PyTorch's {@code _schedule_phases}: end step and start/end values of each phase. */
    private final double[] endSteps;
    private final double[] startLrs;
    private final double[] endLrs;
    private final double[] startMomenta;
    private final double[] endMomenta;

    /**
     * Attaches to {@code optimizer} and sets the rate (and momentum) of step 0.
     *
     * @throws IllegalArgumentException if momentum cycling is on and the optimizer has no momentum
     *     ({@link Adagrad}: PyTorch raises too; turn it off with
     *     {@code OneCycleLROptions.withCycleMomentum(false)})
     */
    public OneCycleLR(Optimizer optimizer, OneCycleLROptions options) {
        super(optimizer, Objects.requireNonNull(options, "options").maxLr() / options.divFactor());
        if (options.cycleMomentum() && !optimizer.hasMomentum()) {
            throw new IllegalArgumentException("OneCycleLR: " + optimizer.getClass().getSimpleName()
                    + " has no momentum to cycle (use withCycleMomentum(false))");
        }
        this.options = options;
        double maxLr = options.maxLr();
        double initialLr = initialLr();
        double minLr = minLr();
        double maxM = options.maxMomentum();
        double baseM = options.baseMomentum();
        int total = options.totalSteps();
        double pct = options.pctStart();
        if (options.threePhase()) {
            endSteps = new double[] {pct * total - 1, 2 * pct * total - 2, total - 1};
            startLrs = new double[] {initialLr, maxLr, initialLr};
            endLrs = new double[] {maxLr, initialLr, minLr};
            startMomenta = new double[] {maxM, baseM, maxM};
            endMomenta = new double[] {baseM, maxM, maxM};
        } else {
            endSteps = new double[] {pct * total - 1, total - 1};
            startLrs = new double[] {initialLr, maxLr};
            endLrs = new double[] {maxLr, minLr};
            startMomenta = new double[] {maxM, baseM};
            endMomenta = new double[] {baseM, maxM};
        }
        begin();
    }

    /** A cycle of {@code totalSteps} steps peaking at {@code maxLr}, with PyTorch's other defaults. */
    public OneCycleLR(Optimizer optimizer, double maxLr, int totalSteps) {
        this(optimizer, OneCycleLROptions.of(maxLr, totalSteps));
    }

    /** The settings of this cycle. */
    public OneCycleLROptions options() {
        return options;
    }

    /** The rate at step 0, {@code maxLr / divFactor}. */
    public double initialLr() {
        return options.maxLr() / options.divFactor();
    }

    /** The rate at the end of the cycle, {@code initialLr / finalDivFactor}. */
    public double minLr() {
        return initialLr() / options.finalDivFactor();
    }

    /**
     * The momentum (or first beta) this schedule gives step {@code epoch}.
     *
     * @throws IllegalArgumentException if {@code epoch} is negative
     * @throws IllegalStateException if {@code epoch > totalSteps}
     */
    public double momentumAt(int epoch) {
        if (epoch < 0) {
            throw new IllegalArgumentException("negative epoch: " + epoch);
        }
        return value(epoch, startMomenta, endMomenta);
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalStateException if {@code epoch > totalSteps} (PyTorch: "Tried to step ... times")
     */
    @Override
    protected double lr(double baseLr, int epoch) {
        // At epoch totalSteps, one past the cycle's last step, PyTorch extrapolates the last
        // phase; linear annealing then overshoots the final rate and goes below zero, a rate no
        // optimizer accepts: it becomes 0.
        return Math.max(0.0, value(epoch, startLrs, endLrs));
    }

    @Override
    void applied(int epoch) {
        if (options.cycleMomentum()) {
            optimizer().momentum(value(epoch, startMomenta, endMomenta));
        }
    }

    /** PyTorch's {@code get_lr} loop over the phases, for the rates or the momenta. */
    private double value(int stepNum, double[] starts, double[] ends) {
        if (stepNum > options.totalSteps()) {
            throw new IllegalStateException(this + ": tried to step " + (stepNum + 1L)
                    + " times; the cycle has totalSteps=" + options.totalSteps());
        }
        double startStep = 0;
        for (int i = 0; i < endSteps.length; i++) {
            double endStep = endSteps[i];
            if (stepNum <= endStep || i == endSteps.length - 1) {
                double pct = (stepNum - startStep) / (endStep - startStep);
                double v = anneal(starts[i], ends[i], pct);
                if (!Double.isFinite(v)) {
                    // a phase of zero length (pctStart 1): PyTorch divides by zero here as well
                    throw new IllegalStateException(this + ": phase " + i + " has zero length at step " + stepNum);
                }
                return v;
            }
            startStep = endStep;
        }
        throw new AssertionError("unreachable: the last phase always matches");
    }

    private double anneal(double start, double end, double pct) {
        if (options.annealStrategy() == AnnealStrategy.COS) {
            double cosOut = Math.cos(Math.PI * pct) + 1;
            return end + (start - end) / 2.0 * cosOut;
        }
        return (end - start) * pct + start;
    }

    @Override
    public String toString() {
        return describe("OneCycleLR", options);
    }
}
