package dev.jtorch.serve;

/**
 * A request whose input the {@link Predictor} cannot use (wrong length, NaN or infinite pixel, bad
 * top-k, no images); the message names the image, the index, the value or the expected length.
 * Thrown on the caller's thread, before anything is queued.
 */
public final class InvalidInputException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    /** @param message what is wrong, naming the offending index, value or expected length */
    public InvalidInputException(String message) {
        super(message);
    }
}
