package dev.jtorch.data;

import dev.jtorch.Device;
import dev.jtorch.tensor.TensorScope;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Cuts a {@link TensorDataset} into mini-batches: float32 inputs {@code [n, sample...]} and targets
 * {@code [n, target...]} (int64 or float32) on the loader's device.
 *
 * <p>The shuffle order of epoch {@code e} is {@link DataLoader}'s generator applied to (seed, e),
 * so it depends on nothing else (a resumed run sees the same batches). Batches are assembled on
 * the consuming thread: an in-memory set needs no prefetch thread. The loader holds no native
 * memory; {@link #close()} only refuses further epochs.
 */
public final class TensorLoader implements Loader {
    private final TensorDataset data;
    private final Sampler sampler;
    private final Device device;
    private volatile boolean closed;

    private TensorLoader(Builder b) {
        this.data = b.data;
        this.sampler = new Sampler(data.size(), b.shuffle, b.seed, b.batchSize, b.dropLast);
        this.device = b.device;
    }

    /** A builder for a loader over {@code data}: batch 32, no shuffling, seed 0, the CPU. */
    public static Builder builder(TensorDataset data) {
        return new Builder(Objects.requireNonNull(data, "data"));
    }

    @Override
    public int numBatches() {
        return sampler.numBatches();
    }

    /** The data set. */
    public TensorDataset dataset() {
        return data;
    }

    /** The order in which epoch {@code epoch} visits the samples (the identity without shuffling). */
    public int[] permutation(int epoch) {
        return sampler.permutation(epoch);
    }

    @Override
    public void forEachBatch(int epoch, Consumer<Batch> step) {
        if (closed) {
            throw new IllegalStateException("the TensorLoader is closed");
        }
        int[] order = permutation(epoch);
        for (int k = 0; k < numBatches(); k++) {
            HostBatch hb = data.batch(sampler.batch(order, k));
            try (TensorScope s = TensorScope.open()) {
                step.accept(hb.toBatch(device));
            }
        }
    }

    @Override
    public void close() {
        closed = true;
    }

    /** Settings of a {@link TensorLoader}; every setter returns this builder. */
    public static final class Builder extends LoaderBuilder<Builder> {
        private final TensorDataset data;

        private Builder(TensorDataset data) {
            super(32);
            this.data = data;
        }

        /**
         * Samples per batch (default 32).
         *
         * @throws IllegalArgumentException if below 1
         */
        @Override
        public Builder batchSize(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("batchSize must be at least 1, got " + n);
            }
            return super.batchSize(n);
        }

        /**
         * The loader.
         *
         * @throws IllegalArgumentException if dropping the last batch leaves no batch at all
         */
        public TensorLoader build() {
            if (dropLast && data.size() < batchSize) {
                throw new IllegalArgumentException("dropLast with batch " + batchSize + " leaves no batch of the "
                        + data.size() + " samples");
            }
            return new TensorLoader(this);
        }
    }
}
