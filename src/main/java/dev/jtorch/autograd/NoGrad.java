package dev.jtorch.autograd;

import dev.jtorch.internal.Guards;

/**
 * Disables gradient recording on the current thread until closed ({@code torch.no_grad()}).
 *
 * <pre>{@code try (NoGrad g = NoGrad.enter()) { ... } }</pre>
 *
 * <p>libtorch's grad mode is thread-local: other threads are unaffected. Close on the opening
 * thread, innermost guard first.
 */
public final class NoGrad implements AutoCloseable {
    private final Guards.NoGradScope guard;
    private final Thread thread = Thread.currentThread();

    private NoGrad(Guards.NoGradScope guard) {
        this.guard = guard;
    }

    /** Enters no-grad mode on this thread. */
    public static NoGrad enter() {
        return new NoGrad(Guards.noGrad());
    }

    /** Whether gradients are being recorded on this thread. */
    public static boolean isGradEnabled() {
        return Guards.gradEnabled();
    }

    /**
     * Restores the previous grad mode; idempotent.
     *
     * @throws IllegalStateException if called from another thread
     */
    @Override
    public void close() {
        if (Thread.currentThread() != thread) {
            throw new IllegalStateException("NoGrad must be closed on the thread that entered it (" + thread.getName() + ")");
        }
        guard.close();
    }
}
