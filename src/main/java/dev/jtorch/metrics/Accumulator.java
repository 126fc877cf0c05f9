package dev.jtorch.metrics;

/**
 * The close protocol of the metrics that hold device-side counts: closed once, refused afterwards.
 * Not thread-safe, like the accumulators themselves.
 */
abstract class Accumulator implements AutoCloseable {
    private boolean closed;

    Accumulator() {}

    /** Whether {@link #close()} was called. */
    final boolean isClosed() {
        return closed;
    }

    /** Throws, naming the concrete class, once closed. */
    final void checkOpen() {
        if (closed) {
            throw new IllegalStateException(getClass().getSimpleName() + " used after close()");
        }
    }

    /** Frees the device-side counts; idempotent. */
    @Override
    public final void close() {
        if (!closed) {
            closed = true;
            free();
        }
    }

    /** Frees what the accumulator holds; called once, by the first {@link #close()}. */
    abstract void free();
}
