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

    private final Reading reading;

    /**
     * The non-finite value training read, and where it read it.
     *
     * @param epoch the 1-based epoch in which the divergence was found
     * @param step the step within the epoch (1-based) at which the divergence was found
     * @param quantity what was not finite: {@code "training loss"}, {@code "test loss"} or
     *     {@code "parameter <name>"}
     * @param value the non-finite value read: NaN or an infinity
     */
    public record Reading(int epoch, int step, String quantity, double value) implements java.io.Serializable {}

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
        this.reading = new Reading(epoch, step, quantity, value);
    }

    /** The non-finite value read, with the epoch, the step and the quantity it belongs to. */
    public Reading reading() {
        return reading;
    }
}
