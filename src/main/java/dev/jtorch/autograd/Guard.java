package dev.jtorch.autograd;

import dev.jtorch.internal.Guards;

/** The common shape of jtorch's autograd guards: one native guard, closed once on its own thread. */
abstract class Guard implements AutoCloseable {
    private final Guards.NoGradScope guard;
    private final Thread thread = Thread.currentThread();

    Guard(Guards.NoGradScope guard) {
        this.guard = guard;
    }

    /**
     * Restores the previous mode; idempotent.
     *
     * @throws IllegalStateException if called from another thread, or while a guard opened later
     *     on this thread is still open
     */
    @Override
    public void close() {
        if (Thread.currentThread() != thread) {
            throw new IllegalStateException(getClass().getSimpleName() + " must be closed on the thread that entered it ("
                    + thread.getName() + ")");
        }
        guard.close();
    }
}
