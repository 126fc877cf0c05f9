package dev.jtorch.train;

import dev.jtorch.data.Batch;
import dev.jtorch.tensor.Tensor;

/**
 * Hooks into {@link Fit}'s loop, called on the thread that runs it, in the order the callbacks
 * were given. Every method is optional. A callback stops training with
 * {@link Fit.State#requestStop} (the loop finishes the current step or epoch and returns), or by
 * throwing, which ends the loop at once and reaches the caller of {@link Fit.Builder#run()}.
 *
 * <p>Tensors passed in ({@code batch}, {@code loss}) belong to the step's scope: read them, never
 * keep them past the call.
 */
public interface Callback {
    /** Before the first epoch. */
    default void fitStart(Fit.State state) {}

    /** Before each epoch's first step; {@link Fit.State#epoch()} is the epoch about to run. */
    default void epochStart(Fit.State state) {}

    /**
     * After each optimizer step. Reading {@code loss} ({@code loss.item()}) waits for the device:
     * on CUDA, do it every few steps rather than every step.
     *
     * @param loss the step's scalar loss, detached; null where the {@link Fit.Step} knows it only on
     *     the host ({@code jtorch train}'s hand-written dense step)
     */
    default void batchEnd(Fit.State state, Batch batch, Tensor loss) {}

    /** After each epoch's evaluation, with what it measured. */
    default void epochEnd(Fit.State state, EpochMetrics metrics) {}

    /** After the last epoch, or when a stop was requested; not after an exception. */
    default void fitEnd(Fit.State state, Fit.History history) {}
}
