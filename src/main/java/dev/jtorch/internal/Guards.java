package dev.jtorch.internal;

import org.bytedeco.pytorch.GradMode;
import org.bytedeco.pytorch.NoGradGuard;

/**
 * libtorch's thread-local autograd guards, as closeable Java objects.
 *
 * <p>Each guard restores the previous mode when closed; guards must be closed on the thread that
 * opened them, innermost first (libtorch's RAII rules, enforced by the public wrappers).
 */
public final class Guards {
    static {
        NativeRuntime.ensureLoaded();
    }

    private Guards() {}

    /** Open guards of this thread, innermost last: libtorch restores modes in LIFO order only. */
    private static final ThreadLocal<java.util.ArrayDeque<NoGradScope>> OPEN =
            ThreadLocal.withInitial(java.util.ArrayDeque::new);

    /** A native guard that restores its mode on close. */
    public static final class NoGradScope implements AutoCloseable {
        private org.bytedeco.javacpp.Pointer guard;

        private NoGradScope(org.bytedeco.javacpp.Pointer guard) {
            this.guard = guard;
            Handles.opened();
            OPEN.get().addLast(this);
        }

        /**
         * Restores the previous mode; idempotent.
         *
         * @throws IllegalStateException if a guard opened later on this thread is still open (closing
         *     out of order would leave the thread in the wrong mode for good)
         */
        @Override
        public void close() {
            if (guard == null) {
                return;
            }
            java.util.ArrayDeque<NoGradScope> open = OPEN.get();
            if (open.peekLast() != this) {
                throw new IllegalStateException("autograd guards must be closed innermost first;"
                        + " a guard opened after this one is still open");
            }
            open.removeLast();
            guard.close();
            guard = null;
            Handles.closed();
        }
    }

    /** Disables gradient recording on this thread until closed. */
    public static NoGradScope noGrad() {
        return new NoGradScope(new NoGradGuard());
    }

    /** Enters libtorch's inference mode (no autograd, no version counters) until closed. */
    public static NoGradScope inferenceMode() {
        return new NoGradScope(new org.bytedeco.pytorch.InferenceMode());
    }

    /** Whether gradients are recorded on this thread. */
    public static boolean gradEnabled() {
        return GradMode.is_enabled();
    }

    /** Whether this thread is in inference mode. */
    public static boolean inferenceModeEnabled() {
        return org.bytedeco.pytorch.InferenceMode.is_enabled();
    }
}
