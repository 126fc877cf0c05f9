package dev.jtorch.train;

/**
 * Stops a {@link Fit} run when a figure has not improved for {@code patience} epochs, as Keras'
 * and Lightning's {@code EarlyStopping}: an epoch improves when its figure beats the best so far
 * by more than {@code minDelta}.
 */
public final class EarlyStopping implements Callback {
    /** The figure watched, and which direction is better. */
    public enum Monitor {
        /** The validation loss; lower is better. */
        VALIDATION_LOSS,
        /** The validation accuracy; higher is better. */
        VALIDATION_ACCURACY,
        /** The training loss; lower is better. */
        TRAINING_LOSS;

        double of(EpochMetrics m) {
            return switch (this) {
                case VALIDATION_LOSS -> m.testLoss();
                case VALIDATION_ACCURACY -> m.testAccuracy();
                case TRAINING_LOSS -> m.trainLoss();
            };
        }

        boolean higherIsBetter() {
            return this == VALIDATION_ACCURACY;
        }
    }

    private final Monitor monitor;
    private final int patience;
    private final double minDelta;
    private double best = Double.NaN;
    private int bestEpoch;
    private int waited;

    /**
     * Watches {@code monitor}.
     *
     * @param patience epochs without improvement allowed before stopping (at least 1)
     * @param minDelta the least change that counts as an improvement (at least 0)
     * @throws IllegalArgumentException if an argument is out of range
     */
    public EarlyStopping(Monitor monitor, int patience, double minDelta) {
        if (monitor == null || patience < 1 || !(minDelta >= 0)) {
            throw new IllegalArgumentException("EarlyStopping needs a monitor, patience >= 1 and minDelta >= 0, got "
                    + monitor + ", " + patience + ", " + minDelta);
        }
        this.monitor = monitor;
        this.patience = patience;
        this.minDelta = minDelta;
    }

    @Override
    public void epochEnd(Fit.State state, EpochMetrics m) {
        double v = monitor.of(m);
        if (Double.isNaN(v)) {
            throw new IllegalStateException("EarlyStopping watches " + monitor + ", which epoch " + m.epoch()
                    + " did not measure (no validation loader, or targets that are not class indices)");
        }
        boolean better = Double.isNaN(best)
                || (monitor.higherIsBetter() ? v > best + minDelta : v < best - minDelta);
        if (better) {
            best = v;
            bestEpoch = m.epoch();
            waited = 0;
        } else if (++waited >= patience) {
            state.requestStop(monitor + " has not improved for " + patience + " epoch(s) (best " + best + " at epoch "
                    + bestEpoch + ")");
        }
    }

    /** The best value seen, or NaN before the first epoch. */
    public double best() {
        return best;
    }

    /** The epoch of the best value, or 0. */
    public int bestEpoch() {
        return bestEpoch;
    }
}
