package dev.jtorch.data;

import dev.jtorch.Device;
import dev.jtorch.tensor.TensorScope;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.IntConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cuts a {@link Dataset} into shuffled mini-batches of float32 image tensors and int64 labels.
 *
 * <pre>{@code
 * try (DataLoader loader = DataLoader.builder(train).batchSize(64).shuffle(true).seed(0).build()) {
 *     for (int e = 0; e < epochs; e++) {
 *         loader.forEachBatch(e, b -> {                 // one TensorScope per batch, opened for you
 *             Tensor loss = F.crossEntropy(model.forward(b.images()), b.labels());
 *             opt.zeroGrad(); loss.backward(); opt.step();
 *         });
 *     }
 * }
 * }</pre>
 *
 * <p><b>Ownership.</b> A batch's tensors belong to the {@link TensorScope} current on the consuming
 * thread when {@code next()} returns; {@code next()} throws {@link IllegalStateException} if none is
 * open. {@link #forEachBatch} opens a scope per batch; with an explicit iterator, open the step's
 * scope before calling {@code next()}:
 * <pre>{@code
 * try (var it = loader.epoch(e).iterator()) {
 *     while (it.hasNext()) {
 *         try (TensorScope s = TensorScope.open()) {
 *             Batch b = it.next();                     // owned by s, freed with the step
 *             ...
 *         }
 *     }
 * }
 * }</pre>
 * A plain for-each loop calls {@code next()} before its body runs, so its batches belong to a scope
 * opened around the loop (freed only when that closes).
 *
 * <p><b>Order.</b> The shuffle permutation of epoch {@code e} is a function of (seed, e) alone —
 * not of the batch size, the device, the epochs iterated before or the thread timing — so a resumed
 * run sees the same batches: {@link Sampler#permutation(int)} documents the generator.
 *
 * <p><b>Host path</b> (the default). A background daemon thread ({@code jtorch-prefetch-...})
 * assembles the next {@code prefetch} batches as Java arrays (float pixels, long labels) — never
 * native tensors, which belong to thread-confined scopes — and the consuming thread turns each into
 * tensors on the loader's device. The thread stops when the epoch's last batch is taken, when the
 * iterator or the loader is closed, when the iterator is garbage-collected after being abandoned
 * (a {@code break} out of a for-each loop), or when it fails (the failure is rethrown by
 * {@code next()}). {@code prefetch(0)} assembles batches on the consuming thread instead.
 *
 * <p><b>Device-resident mode.</b> The whole set is copied to the device once, as uint8 pixels and
 * int64 labels; each batch is gathered there with {@code indexSelect} and converted by the same
 * float32 arithmetic as the host path's table ({@code p / 255f}, then {@code (v - mean) / std}),
 * so both paths give bit-identical batches. No Java thread touches a pixel: on the CPU this is
 * also the cheaper path (a few libtorch ops on 50 KB instead of a Java look-up per pixel and a
 * 200 KB copy per batch). Those long-lived tensors are freed by {@link #close()}.
 *
 * <p>One loader may serve several epochs in turn; it is not safe to close it while another thread
 * is inside {@code next()}.
 */
public final class DataLoader implements Loader {
    private static final Logger LOG = LoggerFactory.getLogger(DataLoader.class);

    private final Dataset data;
    private final String who;
    private final Sampler sampler;
    private final Device device;
    private final int prefetch;
    private final IntConsumer producerHook;
    private final ImageBatches host;
    /** The device copy of the set; null when the data stays on the host. */
    private final DeviceResident resident;
    private final Set<Prefetcher> running = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    private DataLoader(Builder b) {
        this.data = b.data;
        this.who = "DataLoader(" + data.name() + ")";
        this.sampler = new Sampler(data.size(), b.shuffle, b.seed, b.batchSize, b.dropLast, b.shardRank, b.shardCount);
        this.device = b.device;
        this.prefetch = b.prefetch;
        this.producerHook = b.producerHook;
        this.host = new ImageBatches(data, b.mean, b.std, b.transforms, b.seed);
        this.resident = b.deviceResident && !host.augments() ? new DeviceResident(data, b.mean, b.std, device) : null;
        LOG.debug("DataLoader({}): {} samples, batch {}, {} batches/epoch, shuffle={}, seed={}, device={}, resident={}",
                data.name(), data.size(), b.batchSize, numBatches(), b.shuffle, b.seed, device, resident != null);
    }

    /** A builder for a loader over {@code dataset}: batch 64, no shuffle, seed 0, CPU, prefetch 2. */
    public static Builder builder(Dataset dataset) {
        return new Builder(dataset);
    }

    /** The data set this loader reads. */
    public Dataset dataset() {
        return data;
    }

    /** Samples per batch (the last one may hold fewer unless {@code dropLast}). */
    public int batchSize() {
        return sampler.batchSize();
    }

    /** The device the batches are made on. */
    public Device device() {
        return device;
    }

    /** Whether the whole set lives on the device (see the class comment). */
    public boolean deviceResident() {
        return resident != null;
    }

    /**
     * Batches per epoch: {@code ceil(n / batchSize)}, or {@code floor(n / batchSize)} with
     * {@code dropLast}, where n is the samples this loader visits (its shard's, when sharded).
     */
    public int numBatches() {
        return sampler.numBatches();
    }

    /** The order of this loader's passes: the shuffle, the shard and the cut into batches. */
    public Sampler sampler() {
        return sampler;
    }


    /**
     * The batches of epoch {@code epoch}, in the order of {@code sampler().indices(epoch)}; each call
     * of {@code iterator()} starts a fresh pass (and, on the host path, its prefetch thread).
     *
     * @throws IllegalStateException if the loader is closed
     */
    public Epoch epoch(int epoch) {
        checkOpen();
        return new Epoch(epoch);
    }

    /**
     * Runs {@code step} on every batch of epoch {@code epoch}, each inside its own
     * {@link TensorScope} (opened before the batch is made, closed after {@code step} returns), so
     * the batch and everything {@code step} computes are freed batch by batch. Stops the pass if
     * {@code step} throws.
     *
     * @throws IllegalStateException if the loader is closed
     */
    public void forEachBatch(int epoch, Consumer<Batch> step) {
        Objects.requireNonNull(step, "step");
        try (BatchIterator it = epoch(epoch).iterator()) {
            while (it.hasNext()) {
                try (TensorScope s = TensorScope.open()) {
                    step.accept(it.next());
                }
            }
        }
    }

    /** The batches of one epoch; see {@link DataLoader#epoch(int)}. */
    public final class Epoch implements Iterable<Batch> {
        private final int epoch;

        private Epoch(int epoch) {
            this.epoch = epoch;
        }

        /** A fresh pass over the epoch's batches; close it to stop its prefetch thread early. */
        @Override
        public BatchIterator iterator() {
            checkOpen();
            return new BatchIterator(epoch);
        }
    }

    /**
     * Iterates one epoch's batches. {@link #close()} stops the prefetch thread of an abandoned pass at
     * once (it also stops when the pass ends or the loader closes, and after garbage collection).
     */
    public final class BatchIterator implements Iterator<Batch>, AutoCloseable {
        private final int[] perm;
        private final int total;
        /** Batch b of the host path, on the consuming thread; null in device-resident mode. */
        private final Prefetcher.Source source;
        private final Prefetcher producer;
        private int next;
        private boolean done;

        private BatchIterator(int epoch) {
            this.perm = sampler.indices(epoch);
            this.total = numBatches();
            this.source = resident != null ? null : hooked(host.pass(sampler, perm, epoch), producerHook);
            if (source != null && prefetch > 0 && total > 0) {
                producer = Prefetcher.start(this, source, total, prefetch, running, who, data.name() + "-e" + epoch);
            } else {
                producer = null;
            }
        }

        /** Whether another batch follows (false once closed). */
        @Override
        public boolean hasNext() {
            return !done && next < total;
        }

        /**
         * The next batch, its tensors owned by this thread's current scope.
         *
         * @throws IllegalStateException if no TensorScope is open, the loader is closed, or the
         *     prefetch thread was interrupted
         * @throws NoSuchElementException after the last batch
         * @throws RuntimeException whatever the prefetch thread failed with
         */
        @Override
        public Batch next() {
            if (!hasNext()) {
                throw new NoSuchElementException(who + ": no batch after the "
                        + total + " of this epoch" + (done && next < total ? " (iterator closed)" : ""));
            }
            checkOpen();
            if (!TensorScope.isOpen()) {
                throw new IllegalStateException(who + ".next(): no TensorScope is open on thread "
                        + Thread.currentThread().getName() + "; the batch's tensors belong to the scope current"
                        + " when next() returns, so open one per step");
            }
            int b = next;
            Batch out;
            try {
                if (resident != null) {
                    out = resident.gather(sampler.batch(perm, b));
                } else if (producer != null) {
                    HostBatch hb = producer.take();
                    out = hb.toBatch(device);
                    producer.recycle(hb.inputs());
                } else {
                    out = source.batch(b, null).toBatch(device);
                }
            } catch (RuntimeException | Error e) {
                close(); // a pass that lost a batch must not go on as if it had not
                throw e;
            }
            next++;
            if (next == total) {
                close(); // the producer has finished; join it so no thread outlives the pass
            }
            return out;
        }

        /** Stops this pass: no further batches, and its prefetch thread ends (joined). Idempotent. */
        @Override
        public void close() {
            done = true;
            if (producer != null) {
                producer.close();
            }
        }
    }

    /**
     * {@code source} with the test hook called before each batch; static, so the prefetch thread's
     * source never holds the iterator.
     */
    private static Prefetcher.Source hooked(Prefetcher.Source source, IntConsumer hook) {
        if (hook == null) {
            return source;
        }
        return (b, reuse) -> {
            hook.accept(b);
            return source.batch(b, reuse);
        };
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException(who + " is closed");
        }
    }

    /**
     * Stops every prefetch thread of this loader and frees its device-resident tensors. Batches
     * already handed out stay valid (their scopes own them). Idempotent.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        // A snapshot: prefetchers leave the set as they end, and every one seen must be joined.
        List<Prefetcher> producers = new ArrayList<>(running);
        for (Prefetcher p : producers) {
            p.cancel();
        }
        for (Prefetcher p : producers) {
            p.join();
        }
        if (resident != null) {
            resident.close();
        }
    }

    /** Settings for a {@link DataLoader}; {@link #build()} checks them. */
    public static final class Builder extends LoaderBuilder<Builder> {
        private final Dataset data;
        private double[] mean;
        private double[] std;
        private boolean deviceResident;
        private boolean residentSet;
        private List<ImageTransform> transforms = List.of();
        private int prefetch = 2;
        private IntConsumer producerHook;
        private int shardRank;
        private int shardCount = 1;

        private Builder(Dataset data) {
            super(64);
            this.data = Objects.requireNonNull(data, "dataset");
        }

        /**
         * Normalises each channel as {@code (pixel / 255 - mean[c]) / std[c]} in float32 (default: no
         * normalisation, pixel / 255 only). One value applies to every channel.
         */
        public Builder normalize(double[] mean, double[] std) {
            this.mean = mean.clone();
            this.std = std.clone();
            return this;
        }

        /** Whether to copy the whole set to the device once and gather batches there (default false). */
        public Builder deviceResident(boolean deviceResident) {
            this.deviceResident = deviceResident;
            this.residentSet = true;
            return this;
        }

        /** Batches the host path's background thread prepares ahead (default 2; 0 = no thread). */
        public Builder prefetch(int batches) {
            this.prefetch = batches;
            return this;
        }

        /**
         * Visits only shard {@code rank} of {@code shards} of every epoch (see
         * {@link Sampler#indices(int)}): for data-parallel training, one shard per process.
         * Default: unsharded ({@code 0, 1}).
         */
        public Builder shard(int rank, int shards) {
            this.shardRank = rank;
            this.shardCount = shards;
            return this;
        }

        /** Test hook: called with each batch index just before it is assembled (on the producing thread). */
        Builder producerHook(IntConsumer hook) {
            this.producerHook = hook;
            return this;
        }

        /**
         * Random augmentations applied, in this order, to each sample of every batch in the
         * prefetch thread (the host path: a loader with transforms never keeps the set on the
         * device); each sample's generator is seeded from (seed, epoch, sample index).
         *
         * @throws IllegalArgumentException if a transform is null
         */
        public Builder augment(ImageTransform... transforms) {
            for (ImageTransform t : transforms) {
                if (t == null) {
                    throw new IllegalArgumentException("augment: a transform is null");
                }
            }
            this.transforms = List.of(transforms);
            return this;
        }

        /**
         * The loader; in device-resident mode this copies the data set to the device.
         *
         * @throws IllegalArgumentException naming the setting at fault (batch size below 1, negative
         *     prefetch, mean/std lengths other than 1 or the channel count, std not positive)
         */
        public DataLoader build() {
            String who = "DataLoader(" + data.name() + ")";
            if (!transforms.isEmpty() && residentSet && deviceResident) {
                throw new IllegalArgumentException(who + ": augmentations run on the host, in the prefetch thread;"
                        + " they cannot be combined with deviceResident(true)");
            }
            if (batchSize < 1) {
                throw new IllegalArgumentException(who + ": batch size must be at least 1, got " + batchSize);
            }
            if (prefetch < 0) {
                throw new IllegalArgumentException(who + ": prefetch must be >= 0, got " + prefetch);
            }
            if (shardCount < 1 || shardRank < 0 || shardRank >= shardCount) {
                throw new IllegalArgumentException(who + ": shard rank must be in 0..shards-1 and shards >= 1, got"
                        + " rank " + shardRank + " of " + shardCount);
            }
            if (mean != null) {
                int c = data.channels();
                if ((mean.length != 1 && mean.length != c) || (std.length != 1 && std.length != c)) {
                    throw new IllegalArgumentException(who + ": normalize needs 1 or " + c + " values each, got mean "
                            + Arrays.toString(mean) + " and std " + Arrays.toString(std));
                }
                mean = expand(mean, c);
                std = expand(std, c);
                for (int i = 0; i < c; i++) {
                    if (!(std[i] > 0) || !Double.isFinite(std[i]) || !Double.isFinite(mean[i])) {
                        throw new IllegalArgumentException(who + ": normalize needs finite means and positive"
                                + " finite stds, got mean " + Arrays.toString(mean) + " and std " + Arrays.toString(std));
                    }
                }
            }
            return new DataLoader(this);
        }

        private static double[] expand(double[] v, int c) {
            if (v.length == c) {
                return v;
            }
            double[] out = new double[c];
            Arrays.fill(out, v[0]);
            return out;
        }
    }
}
