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
public final class NoGrad extends Guard {
    private NoGrad(Guards.NoGradScope guard) {
        super(guard);
    }

    /** Enters no-grad mode on this thread. */
    public static NoGrad enter() {
        return new NoGrad(Guards.noGrad());
    }

    /** Whether gradients are being recorded on this thread. */
    public static boolean isGradEnabled() {
        return Guards.gradEnabled();
    }
}
