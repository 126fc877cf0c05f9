package dev.jtorch.data;

import java.util.function.Consumer;

/**
 * A source of mini-batches, epoch by epoch: what a training loop needs of a data loader.
 * {@link DataLoader} serves image sets, {@link TensorLoader} any in-memory arrays.
 */
public interface Loader extends AutoCloseable {
    /** Batches in one epoch. */
    int numBatches();

    /**
     * Runs {@code step} on every batch of epoch {@code epoch}, each inside its own
     * {@link dev.jtorch.tensor.TensorScope} (opened before the batch is made, closed after
     * {@code step} returns). The order may depend on the epoch (shuffling), never on anything else.
     *
     * @throws IllegalStateException if the loader is closed
     */
    void forEachBatch(int epoch, Consumer<Batch> step);

    /** Frees what the loader holds; idempotent. */
    @Override
    void close();
}
