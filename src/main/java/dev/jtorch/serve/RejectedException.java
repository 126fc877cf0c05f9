package dev.jtorch.serve;

/**
 * A request the {@link Predictor} refused at once, before queueing it: its queue was full
 * (back-pressure; retry later) or it is closed.
 */
public final class RejectedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final boolean closed;

    /**
     * @param message why, naming the queue capacity or the closed predictor
     * @param closed true if the predictor is closed (retrying will not help), false if its queue was full
     */
    public RejectedException(String message, boolean closed) {
        super(message);
        this.closed = closed;
    }

    /** Whether the predictor was closed, rather than merely busy. */
    public boolean closed() {
        return closed;
    }
}
