package dev.jtorch.data;

import dev.jtorch.DType;
import dev.jtorch.Device;
import dev.jtorch.tensor.Shape;
import dev.jtorch.tensor.Tensor;
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
    private final int batchSize;
    private final boolean shuffle;
    private final long seed;
    private final boolean dropLast;
    private final Device device;
    private volatile boolean closed;

    private TensorLoader(Builder b) {
        this.data = b.data;
        this.batchSize = b.batchSize;
        this.shuffle = b.shuffle;
        this.seed = b.seed;
        this.dropLast = b.dropLast;
        this.device = b.device;
    }

    /** A builder for a loader over {@code data}: batch 32, no shuffling, seed 0, the CPU. */
    public static Builder builder(TensorDataset data) {
        return new Builder(Objects.requireNonNull(data, "data"));
    }

    @Override
    public int numBatches() {
        return dropLast ? data.size() / batchSize : (data.size() + batchSize - 1) / batchSize;
    }

    /** The data set. */
    public TensorDataset dataset() {
        return data;
    }

    /** The order in which epoch {@code epoch} visits the samples (the identity without shuffling). */
    public int[] permutation(int epoch) {
        return DataLoader.permutation(data.size(), shuffle, seed, epoch);
    }

    @Override
    public void forEachBatch(int epoch, Consumer<Batch> step) {
        if (closed) {
            throw new IllegalStateException("the TensorLoader is closed");
        }
        int[] order = permutation(epoch);
        long[] sample = data.sampleShape();
        long[] target = data.targetShape();
        for (int k = 0; k < numBatches(); k++) {
            int from = k * batchSize;
            int n = Math.min(batchSize, data.size() - from);
            float[] x = new float[n * data.sampleSize()];
            Object y = data.classification() ? new long[n * data.targetSize()] : new float[n * data.targetSize()];
            data.gather(order, from, n, x, y);
            try (TensorScope s = TensorScope.open()) {
                Tensor xs = Tensor.of(x, Shape.of(prepend(n, sample)), DType.FLOAT32, device);
                Tensor ys = y instanceof long[] l ? Tensor.of(l, Shape.of(prepend(n, target)), DType.INT64, device)
                        : Tensor.of((float[]) y, Shape.of(prepend(n, target)), DType.FLOAT32, device);
                step.accept(new Batch(xs, ys, n));
            }
        }
    }

    private static long[] prepend(long n, long[] rest) {
        long[] s = new long[rest.length + 1];
        s[0] = n;
        System.arraycopy(rest, 0, s, 1, rest.length);
        return s;
    }

    @Override
    public void close() {
        closed = true;
    }

    /** Settings of a {@link TensorLoader}; every setter returns this builder. */
    public static final class Builder {
        private final TensorDataset data;
        private int batchSize = 32;
        private boolean shuffle;
        private long seed;
        private boolean dropLast;
        private Device device = Device.CPU;

        private Builder(TensorDataset data) {
            this.data = data;
        }

        /**
         * Samples per batch.
         *
         * @throws IllegalArgumentException if below 1
         */
        public Builder batchSize(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("batchSize must be at least 1, got " + n);
            }
            this.batchSize = n;
            return this;
        }

        /** Whether every epoch visits the samples in a fresh order drawn from (seed, epoch). */
        public Builder shuffle(boolean on) {
            this.shuffle = on;
            return this;
        }

        /** The shuffle seed. */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Whether a last, smaller batch is dropped. */
        public Builder dropLast(boolean on) {
            this.dropLast = on;
            return this;
        }

        /** The device batches are made on. */
        public Builder device(Device device) {
            this.device = Objects.requireNonNull(device, "device");
            return this;
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
