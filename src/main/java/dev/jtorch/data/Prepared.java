package dev.jtorch.data;

import dev.jtorch.Device;

/**
 * A batch made ready by a prefetch thread, handed to the consuming thread, which turns it into
 * tensors of its own current scope (native tensors belong to thread-confined scopes, so nothing
 * made on the prefetch thread may reach the consumer as a scoped tensor).
 */
sealed interface Prepared permits HostBatch, NativeBatch {
    /**
     * The batch as tensors on {@code device}, owned by the current {@link dev.jtorch.tensor.TensorScope}.
     *
     * @throws IllegalStateException if no scope is open
     */
    Batch toBatch(Device device);

    /** Frees what the garbage collector cannot, for a batch nobody will take; any thread. */
    void discard();
}
