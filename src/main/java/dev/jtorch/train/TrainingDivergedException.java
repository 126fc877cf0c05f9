package dev.jtorch.train;

/**
 * Training stopped because a loss became NaN or infinite: the learning rate is too high for the
 * model and data, or the data holds extreme values.
 *
 * <p>{@link Trainer} checks the running training loss whenever it reads it anyway (every 50 steps
 * and at the end of each epoch, so no step waits on the device just for the check), and the
 * parameters and the test loss once per epoch. It throws before writing anything of the epoch in
 * which it found the divergence: {@code checkpoint.pt}, {@code metrics.jsonl} and
 * {@code model.pt} keep the last good epoch's content (or do not exist, if no epoch completed).
 */
public final class TrainingDivergedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int epoch;
    private final int step;
    private final String quantity;
    private final double value;

    /**
     * The divergence found in {@code epoch} at {@code step}.
     *
     * @param epoch the 1-based epoch in progress
     * @param step the step (1-based, within the epoch) at which the non-finite value was seen; the
     *     check runs every 50 steps, so the divergence began at most 50 steps earlier
     * @param quantity what was not finite: {@code "training loss"}, {@code "test loss"} or
     *     {@code "parameter <name>"}
     * @param value the value read: NaN or an infinity
     * @param detail what the caller should know besides, e.g. which files were kept; may be empty
     */
    public TrainingDivergedException(int epoch, int step, String quantity, double value, String detail) {
        super("training diverged at epoch " + epoch + ", step " + step + " (" + quantity + " = " + value + ")"
                + (detail == null || detail.isEmpty() ? "" : ": " + detail));
        this.epoch = epoch;
        this.step = step;
        this.quantity = quantity;
        this.value = value;
    }

    /** The 1-based epoch in which the divergence was found. */
    public int epoch() {
        return epoch;
    }

    /** The step within the epoch (1-based) at which the divergence was found. */
    public int step() {
        return step;
    }

    /** What was not finite: {@code "training loss"}, {@code "test loss"} or {@code "parameter <name>"}. */
    public String quantity() {
        return quantity;
    }

    /** The non-finite value read: NaN or an infinity. */
    public double value() {
        return value;
    }
}
