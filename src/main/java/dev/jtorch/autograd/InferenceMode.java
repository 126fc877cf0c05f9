package dev.jtorch.autograd;

import dev.jtorch.internal.Guards;

/**
 * libtorch's inference mode on the current thread until closed ({@code torch.inference_mode()}).
 *
 * <p>Faster than {@link NoGrad} for pure inference: no autograd and no version counters. Tensors
 * made inside cannot later take part in autograd. Thread-local; close on the opening thread.
 */
public final class InferenceMode implements AutoCloseable {
    private final Guards.NoGradScope guard;
    private final Thread thread = Thread.currentThread();

    private InferenceMode(Guards.NoGradScope guard) {
        this.guard = guard;
    }

    /** Enters inference mode on this thread. */
    public static InferenceMode enter() {
        return new InferenceMode(Guards.inferenceMode());
    }

    /** Whether this thread is in inference mode. */
    public static boolean isEnabled() {
        return Guards.inferenceModeEnabled();
    }

    /**
     * Leaves inference mode; idempotent.
     *
     * @throws IllegalStateException if called from another thread
     */
    @Override
    public void close() {
        if (Thread.currentThread() != thread) {
            throw new IllegalStateException("InferenceMode must be closed on the thread that entered it (" + thread.getName() + ")");
        }
        guard.close();
    }
}
