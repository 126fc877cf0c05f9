package dev.jtorch.autograd;

import dev.jtorch.internal.Guards;

/**
 * libtorch's inference mode on the current thread until closed ({@code torch.inference_mode()}).
 *
 * <p>Faster than {@link NoGrad} for pure inference: no autograd and no version counters. Tensors
 * made inside cannot later take part in autograd. Thread-local; close on the opening thread,
 * innermost guard first.
 */
public final class InferenceMode extends Guard {
    private InferenceMode(Guards.NoGradScope guard) {
        super(guard);
    }

    /** Enters inference mode on this thread. */
    public static InferenceMode enter() {
        return new InferenceMode(Guards.inferenceMode());
    }

    /** Whether this thread is in inference mode. */
    public static boolean isEnabled() {
        return Guards.inferenceModeEnabled();
    }
}
