package dev.jtorch.serve;

import java.util.concurrent.TimeoutException;

/**
 * A request that did not complete within the {@link Predictor}'s timeout; its cause is a
 * {@link TimeoutException}. A request that had not started by then was dropped from the queue.
 */
public final class PredictionTimeoutException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final boolean started;

    /**
     * @param message what timed out, naming the timeout
     * @param started whether the request's forward pass had already started (then it still runs;
     *     its result is discarded)
     */
    public PredictionTimeoutException(String message, boolean started) {
        super(message, new TimeoutException(message));
        this.started = started;
    }

    /** Whether the forward pass had started when the timeout struck (false: it was dropped from the queue). */
    public boolean started() {
        return started;
    }
}
