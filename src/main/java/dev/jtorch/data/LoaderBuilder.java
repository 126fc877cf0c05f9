package dev.jtorch.data;

import dev.jtorch.Device;
import java.util.Objects;

/**
 * The settings every loader's builder has: the batch size, the shuffle order and the device.
 *
 * @param <B> the builder itself, which every setter returns
 */
abstract class LoaderBuilder<B extends LoaderBuilder<B>> {
    int batchSize;
    boolean shuffle;
    long seed;
    boolean dropLast;
    Device device = Device.CPU;

    LoaderBuilder(int batchSize) {
        this.batchSize = batchSize;
    }

    @SuppressWarnings("unchecked")
    private B self() {
        return (B) this;
    }

    /** Samples per batch (default 64 for a {@link DataLoader}, 32 for a {@link TensorLoader}). */
    public B batchSize(int batchSize) {
        this.batchSize = batchSize;
        return self();
    }

    /** Whether each epoch visits the samples in a fresh random order drawn from (seed, epoch) (default false). */
    public B shuffle(boolean shuffle) {
        this.shuffle = shuffle;
        return self();
    }

    /** The seed of the shuffle orders (default 0); see {@link Sampler#permutation(int)}. */
    public B seed(long seed) {
        this.seed = seed;
        return self();
    }

    /** Whether to drop the last, smaller batch of an epoch (default false: keep it). */
    public B dropLast(boolean dropLast) {
        this.dropLast = dropLast;
        return self();
    }

    /** The device the batches are made on (default CPU). */
    public B device(Device device) {
        this.device = Objects.requireNonNull(device, "device");
        return self();
    }
}
