package dev.jtorch.data;

import java.util.Arrays;

/**
 * The order of a loader's passes ({@link DataLoader#sampler()}): one permutation of the samples
 * per epoch, this rank's shard of it when sharded (PyTorch's {@code DistributedSampler}), and its
 * cut into batches. {@link TensorLoader} draws the same orders from the same seed. Immutable; it
 * holds no data.
 *
 * @param size the samples in the data set
 * @param shuffle whether each epoch visits them in a fresh random order
 * @param seed the seed of the shuffle orders
 * @param batchSize samples per batch, at least 1
 * @param dropLast whether a last, smaller batch is dropped
 * @param rank this loader's shard, in {@code 0 .. shards-1}
 * @param shards the number of shards, 1 when unsharded
 */
public record Sampler(int size, boolean shuffle, long seed, int batchSize, boolean dropLast, int rank, int shards) {
    /**
     * Checks the values.
     *
     * @throws IllegalArgumentException if {@code size} is negative, {@code batchSize} below 1, or
     *     {@code rank} not in {@code 0 .. shards-1}
     */
    public Sampler {
        if (size < 0 || batchSize < 1) {
            throw new IllegalArgumentException("Sampler needs size >= 0 and batchSize >= 1, got size " + size
                    + " and batchSize " + batchSize);
        }
        if (shards < 1 || rank < 0 || rank >= shards) {
            throw new IllegalArgumentException("Sampler shard rank must be in 0..shards-1 and shards >= 1, got rank "
                    + rank + " of " + shards);
        }
    }

    /** An unsharded sampler. */
    Sampler(int size, boolean shuffle, long seed, int batchSize, boolean dropLast) {
        this(size, shuffle, seed, batchSize, dropLast, 0, 1);
    }

    /**
     * Batches per epoch: {@code ceil(n / batchSize)}, or {@code floor(n / batchSize)} with
     * {@code dropLast}, where n is the samples an epoch visits (this shard's, when sharded).
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
        return shards == 1 ? size : (int) (((long) size + shards - 1) / shards);
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
        return shards == 1 ? p : shard(p, rank, shards);
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
        return permutation(size, shuffle, seed, epoch);
    }

    /** The sample indices of batch {@code b} of a pass in {@code order} (a copy). */
    int[] batch(int[] order, int b) {
        int from = b * batchSize;
        return Arrays.copyOfRange(order, from, from + Math.min(batchSize, order.length - from));
    }

    /** Rank {@code rank}'s shard of {@code perm}, with the padding of PyTorch's DistributedSampler. */
    static int[] shard(int[] perm, int rank, int shards) {
        int n = perm.length;
        int per = (int) (((long) n + shards - 1) / shards);
        int[] out = new int[per];
        for (int k = 0; k < per; k++) {
            out[k] = perm[(int) (((long) k * shards + rank) % n)];
        }
        return out;
    }

    /** The permutation of {@code n} samples for (seed, epoch); the generator is pinned by {@link #permutation(int)}. */
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
}
