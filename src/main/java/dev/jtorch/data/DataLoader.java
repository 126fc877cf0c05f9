package dev.jtorch.data;

import dev.jtorch.DType;
import dev.jtorch.Device;
import dev.jtorch.internal.NativeTensor;
import dev.jtorch.tensor.Shape;
import dev.jtorch.tensor.Tensor;
import dev.jtorch.tensor.TensorOwner;
import dev.jtorch.tensor.TensorScope;
import dev.jtorch.tensor.access.TensorAccess;
import java.lang.ref.Cleaner;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
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
 * run sees the same batches: {@link #permutation(int)} documents the generator.
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
    private static final Cleaner CLEANER = Cleaner.create(r -> {
        Thread t = new Thread(r, "jtorch-data-cleaner");
        t.setDaemon(true);
        return t;
    });
    private static final AtomicInteger THREADS = new AtomicInteger();
    /** How long close() waits for a prefetch thread to notice it was cancelled. */
    private static final long JOIN_MILLIS = 10_000;

    private final Dataset data;
    private final int batchSize;
    private final boolean shuffle;
    private final long seed;
    private final boolean dropLast;
    private final double[] mean;
    private final double[] std;
    private final Device device;
    private final boolean deviceResident;
    /** The augmentations, or null for none. */
    private final java.util.List<ImageTransform> transforms;
    private final int prefetch;
    private final IntConsumer producerHook;
    private final int shardRank;
    private final int shardCount;
    /** {@code lut[c * 256 + p]}: the float32 value of pixel byte p in channel c. */
    private final float[] lut;
    private final Set<Producer> running = ConcurrentHashMap.newKeySet();

    private Tensor devPixels;
    private Tensor devLabels;
    private Tensor devMean;
    private Tensor devStd;
    /** Owns the four device-resident tensors above; null when the data stays on the host. */
    private TensorOwner deviceTensors;
    private volatile boolean closed;

    private DataLoader(Builder b) {
        this.data = b.data;
        this.batchSize = b.batchSize;
        this.shuffle = b.shuffle;
        this.seed = b.seed;
        this.dropLast = b.dropLast;
        this.mean = b.mean;
        this.std = b.std;
        this.device = b.device;
        this.transforms = b.transforms.isEmpty() ? null : b.transforms;
        this.deviceResident = b.deviceResident && transforms == null;
        this.prefetch = b.prefetch;
        this.producerHook = b.producerHook;
        this.shardRank = b.shardRank;
        this.shardCount = b.shardCount;
        this.lut = table(data.channels(), mean, std);
        if (deviceResident) {
            moveToDevice();
        }
        LOG.debug("DataLoader({}): {} samples, batch {}, {} batches/epoch, shuffle={}, seed={}, device={}, resident={}",
                data.name(), data.size(), batchSize, numBatches(), shuffle, seed, device, deviceResident);
    }

    /** A builder for a loader over {@code dataset}: batch 64, no shuffle, seed 0, CPU, prefetch 2. */
    public static Builder builder(Dataset dataset) {
        return new Builder(dataset);
    }

    /**
     * The pixel value table: pixel / 255 in float32, then {@code (x - mean) / std} in float32 — the
     * arithmetic of torchvision's {@code ToTensor()} + {@code Normalize(mean, std)}.
     */
    private static float[] table(int channels, double[] mean, double[] std) {
        float[] t = new float[channels * 256];
        for (int c = 0; c < channels; c++) {
            for (int p = 0; p < 256; p++) {
                float v = p / 255f;
                if (mean != null) {
                    v = (v - (float) mean[c]) / (float) std[c];
                }
                t[c * 256 + p] = v;
            }
        }
        return t;
    }

    private void moveToDevice() {
        deviceTensors = TensorOwner.ofShared(); // close() may come from any thread
        String who = "DataLoader(" + data.name() + ")";
        int c = data.channels();
        long[] labels = new long[data.size()];
        int[] src = data.labelArray();
        for (int i = 0; i < labels.length; i++) {
            labels[i] = src[i];
        }
        try {
            devPixels = TensorAccess.owned(NativeTensor.ofUnsigned(data.pixelArray(),
                    new long[] {data.size(), c, data.height(), data.width()}, DType.UINT8, device), deviceTensors, who + ".pixels");
            devLabels = TensorAccess.owned(NativeTensor.of(labels, new long[] {labels.length}, DType.INT64, device),
                    deviceTensors, who + ".labels");
            if (mean != null) {
                float[] m = new float[c];
                float[] sd = new float[c];
                for (int i = 0; i < c; i++) {
                    m[i] = (float) mean[i]; // the builder expanded mean/std to one value per channel
                    sd[i] = (float) std[i];
                }
                devMean = TensorAccess.owned(NativeTensor.of(m, new long[] {1, c, 1, 1}, DType.FLOAT32, device), deviceTensors, who + ".mean");
                devStd = TensorAccess.owned(NativeTensor.of(sd, new long[] {1, c, 1, 1}, DType.FLOAT32, device), deviceTensors, who + ".std");
            }
        } catch (RuntimeException | Error e) {
            releaseDevice();
            throw e;
        }
    }

    private void releaseDevice() {
        if (deviceTensors != null) {
            deviceTensors.close();
            deviceTensors = null;
        }
        devPixels = devLabels = devMean = devStd = null;
    }

    /** The data set this loader reads. */
    public Dataset dataset() {
        return data;
    }

    /** Samples per batch (the last one may hold fewer unless {@code dropLast}). */
    public int batchSize() {
        return batchSize;
    }

    /** The device the batches are made on. */
    public Device device() {
        return device;
    }

    /** Whether the whole set lives on the device (see the class comment). */
    public boolean deviceResident() {
        return deviceResident;
    }

    /**
     * Batches per epoch: {@code ceil(n / batchSize)}, or {@code floor(n / batchSize)} with
     * {@code dropLast}, where n is the samples this loader visits (its shard's, when sharded).
     */
    public int numBatches() {
        int n = visited();
        // not (n + batchSize - 1) / batchSize: that overflows for a batch near Integer.MAX_VALUE,
        // and a batch larger than the data set is one batch of every sample, as in PyTorch
        return dropLast ? n / batchSize : n / batchSize + (n % batchSize == 0 ? 0 : 1);
    }

    /** Samples per epoch: every visited sample, or {@code numBatches() * batchSize} with {@code dropLast}. */
    public int samplesPerEpoch() {
        return dropLast ? numBatches() * batchSize : visited();
    }

    /** Samples one epoch visits: the data set's size, or {@code ceil(size / shards)} when sharded. */
    private int visited() {
        int n = data.size();
        return shardCount == 1 ? n : (int) (((long) n + shardCount - 1) / shardCount);
    }

    /** This loader's shard (0 when unsharded). */
    public int shardRank() {
        return shardRank;
    }

    /** The number of shards (1 when unsharded). */
    public int shardCount() {
        return shardCount;
    }

    /**
     * The samples epoch {@code epoch} visits, in order: {@link #permutation(int)} itself, or, when
     * sharded, this rank's shard of it with the semantics of PyTorch's {@code DistributedSampler}
     * ({@code drop_last=False}): the permutation is padded by repeating it from its start to
     * {@code S * ceil(n / S)} entries, and shard r takes entries {@code r, r + S, r + 2S, ...}.
     * So every shard visits the same number of samples, and batch k of B samples on the S shards
     * together holds exactly batch k of {@code S * B} samples of the unsharded loader.
     */
    public int[] indices(int epoch) {
        int[] p = permutation(epoch);
        return shardCount == 1 ? p : shard(p, shardRank, shardCount);
    }

    static int[] shard(int[] perm, int rank, int shards) {
        int n = perm.length;
        int per = (int) (((long) n + shards - 1) / shards);
        int[] out = new int[per];
        for (int k = 0; k < per; k++) {
            out[k] = perm[(int) (((long) k * shards + rank) % n)];
        }
        return out;
    }

    /**
     * The order in which epoch {@code epoch} visits the samples: batch k holds samples
     * {@code p[k*B] .. p[k*B+B-1]}. Without shuffling, the identity.
     *
     * <p>With shuffling it depends on (seed, epoch) only. Generator (fixed, so orders never change
     * between jtorch or JDK versions): SplitMix64 with initial state
     * {@code mix64(seed ^ 0x6A09E667F3BCC909) ^ mix64(epoch * 0x9E3779B97F4A7C15 + 0xBB67AE8584CAA73B)},
     * each draw adding {@code 0x9E3779B97F4A7C15} to the state and returning its {@code mix64} (the
     * Stafford variant 13 finaliser of {@code java.util.SplittableRandom}); a bound {@code m} is drawn
     * from {@code r = draw >>> 1} by rejecting {@code r >= floor(2^63-1 / m) * m} and taking
     * {@code r % m}; then Fisher–Yates from the end: for {@code i = n-1 .. 1} swap {@code p[i]} with
     * {@code p[j]}, {@code j} drawn below {@code i + 1}, starting from the identity.
     */
    public int[] permutation(int epoch) {
        return permutation(data.size(), shuffle, seed, epoch);
    }

    static int[] permutation(int n, boolean shuffle, long seed, int epoch) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        if (!shuffle) {
            return p;
        }
        long[] state = {mix64(seed ^ 0x6A09E667F3BCC909L) ^ mix64(epoch * 0x9E3779B97F4A7C15L + 0xBB67AE8584CAA73BL)};
        for (int i = n - 1; i > 0; i--) {
            int j = below(state, i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    private static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private static int below(long[] state, int bound) {
        long limit = (Long.MAX_VALUE / bound) * bound;
        long r;
        do {
            state[0] += 0x9E3779B97F4A7C15L;
            r = mix64(state[0]) >>> 1;
        } while (r >= limit);
        return (int) (r % bound);
    }

    /**
     * The batches of epoch {@code epoch}, in {@link #permutation(int)} order; each call of
     * {@code iterator()} starts a fresh pass (and, on the host path, its prefetch thread).
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
        private final Producer producer;
        private final Cleaner.Cleanable cleanable;
        private final Augment augment;
        private int next;
        private boolean done;

        private BatchIterator(int epoch) {
            this.perm = indices(epoch);
            this.total = numBatches();
            this.augment = transforms == null ? null : new Augment(transforms, seed, epoch);
            if (!deviceResident && prefetch > 0 && total > 0) {
                producer = new Producer(data, perm, total, batchSize, lut, augment, prefetch, producerHook, running,
                        "jtorch-prefetch-" + data.name() + "-e" + epoch + "-" + THREADS.incrementAndGet());
                running.add(producer);
                // The cleaning action holds the producer only, never this iterator.
                cleanable = CLEANER.register(this, producer::cancel);
                producer.start();
            } else {
                producer = null;
                cleanable = null;
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
                throw new NoSuchElementException("DataLoader(" + data.name() + "): no batch after the "
                        + total + " of this epoch" + (done && next < total ? " (iterator closed)" : ""));
            }
            checkOpen();
            if (!TensorScope.isOpen()) {
                throw new IllegalStateException("DataLoader(" + data.name() + ").next(): no TensorScope is open on thread "
                        + Thread.currentThread().getName() + "; the batch's tensors belong to the scope current"
                        + " when next() returns, so open one per step");
            }
            int b = next;
            Batch out;
            try {
                if (deviceResident) {
                    out = gatherOnDevice(b);
                } else {
                    HostBatch hb;
                    if (producer != null) {
                        hb = producer.take();
                    } else {
                        if (producerHook != null) {
                            producerHook.accept(b);
                        }
                        hb = assemble(data, perm, b, batchSize, lut, augment, null);
                    }
                    out = toTensors(hb);
                    if (producer != null) {
                        producer.recycle(hb.pixels);
                    }
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

        private Batch toTensors(HostBatch hb) {
            int n = hb.labels.length;
            Tensor images = Tensor.of(hb.pixels, Shape.of(n, data.channels(), data.height(), data.width()),
                    DType.FLOAT32, device);
            try {
                Tensor labels = Tensor.of(hb.labels, Shape.of(n), DType.INT64, device);
                return new Batch(images, labels, n);
            } catch (RuntimeException | Error e) {
                images.close();
                throw e;
            }
        }

        private Batch gatherOnDevice(int b) {
            int from = b * batchSize;
            int n = Math.min(batchSize, perm.length - from);
            long[] idx = new long[n];
            for (int k = 0; k < n; k++) {
                idx[k] = perm[from + k];
            }
            try (TensorScope s = TensorScope.open()) {
                Tensor index = Tensor.of(idx, Shape.of(n), DType.INT64, device);
                // the table's float32 arithmetic, op by op: p / 255f, then (v - mean) / std; true division
                // of the uint8 gather gives float32 in one pass (no separate conversion)
                Tensor images = devPixels.indexSelect(0, index).div(255);
                if (devMean != null) {
                    images = images.sub(devMean).div(devStd);
                }
                Tensor labels = devLabels.indexSelect(0, index);
                s.keep(images, labels); // to the caller's scope, which is the enclosing one
                return new Batch(images, labels, n);
            }
        }

        /** Stops this pass: no further batches, and its prefetch thread ends (joined). Idempotent. */
        @Override
        public void close() {
            done = true;
            if (producer != null) {
                cleanable.clean(); // runs producer.cancel() once
                producer.join(JOIN_MILLIS);
            }
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("DataLoader(" + data.name() + ") is closed");
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
        // A snapshot: producers leave the set as they end, and every one seen must be joined.
        List<Producer> producers = new ArrayList<>(running);
        for (Producer p : producers) {
            p.cancel();
        }
        for (Producer p : producers) {
            p.join(JOIN_MILLIS);
        }
        releaseDevice();
    }

    /** A batch assembled as Java arrays (safe to hand between threads). */
    private record HostBatch(float[] pixels, long[] labels) {}

    /** The producer failed: rethrown by the consumer. */
    private record Failure(Throwable error, int batch) {}

    /**
     * The augmentations of one pass: each sample's generator is seeded from (loader seed, epoch,
     * sample index), so they do not depend on threads, batch size or the order of the passes.
     */
    private record Augment(java.util.List<ImageTransform> transforms, long seed, int epoch) {
        void apply(byte[] sample, int c, int h, int w, int index) {
            java.util.SplittableRandom r = new java.util.SplittableRandom(
                    seed * 0x9E3779B97F4A7C15L ^ ((long) epoch << 32 | (index & 0xFFFFFFFFL)) * 0xBF58476D1CE4E5B9L);
            for (ImageTransform t : transforms) {
                t.apply(sample, c, h, w, r);
            }
        }
    }

    /** Batch {@code b} of the pass ordered by {@code perm}, augmented, pixels through {@code lut}. */
    private static HostBatch assemble(Dataset data, int[] perm, int b, int batchSize, float[] lut, Augment augment,
                                      float[] reuse) {
        int from = b * batchSize;
        int n = Math.min(batchSize, perm.length - from);
        int c = data.channels();
        int plane = data.height() * data.width();
        int s = c * plane;
        byte[] src = data.pixelArray();
        int[] srcLabels = data.labelArray();
        float[] px = reuse != null && reuse.length == n * s ? reuse : new float[n * s];
        long[] labels = new long[n];
        byte[] scratch = augment == null ? null : new byte[s];
        for (int k = 0; k < n; k++) {
            int i = perm[from + k];
            labels[k] = srcLabels[i];
            int in = i * s;
            byte[] sample = src;
            if (augment != null) {
                System.arraycopy(src, in, scratch, 0, s);
                augment.apply(scratch, c, data.height(), data.width(), i);
                sample = scratch;
                in = 0;
            }
            int out = k * s;
            for (int ch = 0; ch < c; ch++) {
                int base = ch * 256;
                for (int q = 0; q < plane; q++) {
                    px[out + q] = lut[base + (sample[in + q] & 0xFF)];
                }
                in += plane;
                out += plane;
            }
        }
        return new HostBatch(px, labels);
    }

    /**
     * The prefetch thread of one pass. It references the data, never the iterator, so an abandoned
     * iterator can be collected and its Cleaner can cancel this.
     */
    private static final class Producer implements Runnable {
        private final Dataset data;
        private final int[] perm;
        private final int total;
        private final int batchSize;
        private final float[] lut;
        private final Augment augment;
        private final IntConsumer hook;
        private final Set<Producer> registry;
        private final BlockingQueue<Object> queue;
        private final BlockingQueue<float[]> spare;
        private final Thread thread;
        private volatile boolean cancelled;

        Producer(Dataset data, int[] perm, int total, int batchSize, float[] lut, Augment augment, int prefetch,
                 IntConsumer hook, Set<Producer> registry, String name) {
            this.augment = augment;
            this.data = data;
            this.perm = perm;
            this.total = total;
            this.batchSize = batchSize;
            this.lut = lut;
            this.hook = hook;
            this.registry = registry;
            this.queue = new ArrayBlockingQueue<>(prefetch);
            this.spare = new ArrayBlockingQueue<>(prefetch + 1);
            this.thread = new Thread(this, name);
            this.thread.setDaemon(true); // never keeps the JVM alive
        }

        void start() {
            thread.start();
        }

        @Override
        public void run() {
            int b = 0;
            try {
                for (; b < total && !cancelled; b++) {
                    if (hook != null) {
                        hook.accept(b);
                    }
                    queue.put(assemble(data, perm, b, batchSize, lut, augment, spare.poll()));
                }
            } catch (InterruptedException e) {
                // cancelled: the pass was closed or abandoned
            } catch (Throwable t) {
                if (!cancelled) {
                    try {
                        queue.put(new Failure(t, b));
                    } catch (InterruptedException e) {
                        // cancelled while reporting: nobody is listening any more
                    }
                }
            } finally {
                registry.remove(this);
            }
        }

        HostBatch take() {
            Object o;
            try {
                o = queue.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("DataLoader(" + data.name() + "): interrupted while waiting for"
                        + " the next batch", e);
            }
            if (o instanceof Failure f) {
                if (f.error() instanceof RuntimeException r) {
                    throw r;
                }
                if (f.error() instanceof Error err) {
                    throw err;
                }
                throw new IllegalStateException("DataLoader(" + data.name() + "): the prefetch thread failed at batch "
                        + f.batch() + ": " + f.error(), f.error());
            }
            return (HostBatch) o;
        }

        void recycle(float[] pixels) {
            spare.offer(pixels); // full: let the GC have it
        }

        void cancel() {
            cancelled = true;
            thread.interrupt();
        }

        void join(long millis) {
            if (Thread.currentThread() == thread) {
                return;
            }
            try {
                thread.join(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (thread.isAlive()) {
                LOG.warn("prefetch thread {} did not stop within {} ms", thread.getName(), millis);
            }
        }
    }

    /** Settings for a {@link DataLoader}; {@link #build()} checks them. */
    public static final class Builder {
        private final Dataset data;
        private int batchSize = 64;
        private boolean shuffle;
        private long seed;
        private boolean dropLast;
        private double[] mean;
        private double[] std;
        private Device device = Device.CPU;
        private boolean deviceResident;
        private boolean residentSet;
        private java.util.List<ImageTransform> transforms = java.util.List.of();
        private int prefetch = 2;
        private IntConsumer producerHook;
        private int shardRank;
        private int shardCount = 1;

        private Builder(Dataset data) {
            this.data = Objects.requireNonNull(data, "dataset");
        }

        /** Samples per batch (default 64). */
        public Builder batchSize(int batchSize) {
            this.batchSize = batchSize;
            return this;
        }

        /** Whether each epoch visits the samples in a fresh random order (default false). */
        public Builder shuffle(boolean shuffle) {
            this.shuffle = shuffle;
            return this;
        }

        /** The seed of the shuffle orders (default 0); see {@link DataLoader#permutation(int)}. */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Whether to drop the last, smaller batch of an epoch (default false: keep it). */
        public Builder dropLast(boolean dropLast) {
            this.dropLast = dropLast;
            return this;
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

        /** The device the batches are made on (default CPU). */
        public Builder device(Device device) {
            this.device = Objects.requireNonNull(device, "device");
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
         * {@link DataLoader#indices(int)}): for data-parallel training, one shard per process.
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
            this.transforms = java.util.List.of(transforms);
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
