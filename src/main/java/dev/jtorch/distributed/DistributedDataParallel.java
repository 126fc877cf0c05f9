package dev.jtorch.distributed;

import dev.jtorch.DType;
import dev.jtorch.Device;
import dev.jtorch.internal.NativeDist;
import dev.jtorch.internal.NativeTensor;
import dev.jtorch.nn.Module;
import dev.jtorch.tensor.Tensor;
import dev.jtorch.tensor.TensorOwner;
import dev.jtorch.tensor.access.TensorAccess;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Keeps one model identical on every rank of a {@link ProcessGroup}: PyTorch's
 * {@code DistributedDataParallel}, with the gradient averaging called explicitly.
 *
 * <pre>{@code
 * try (var ddp = new DistributedDataParallel(model, group)) {   // rank 0's weights everywhere
 *     ...
 *     loss.backward();
 *     ddp.syncGradients();                                      // every rank: the mean gradient
 *     opt.step();
 * }
 * }</pre>
 *
 * <p>The constructor broadcasts rank 0's parameters (one broadcast per bucket) and buffers to
 * every rank. Each
 * {@link #syncGradients()} copies the gradients into a few contiguous buckets (one per dtype and
 * device, split at {@code bucketBytes}, 25 MiB by default as in PyTorch), runs one sum all-reduce
 * per bucket, divides by the world size and copies the means back into the gradients in place.
 * So with each rank's loss the mean over its own B samples, every rank ends with the gradient of
 * the mean over all N*B samples, the same as one process with batch N*B (up to float rounding).
 * A parameter without a gradient on this rank counts as a zero gradient and receives the mean.
 *
 * <p><b>Ownership.</b> The buckets are this object's and are freed by {@link #close()}; the model
 * and the group stay the caller's. Call it from the thread that issues the group's collectives.
 */
public final class DistributedDataParallel implements AutoCloseable {
    /** PyTorch's default bucket size: 25 MiB. */
    public static final long DEFAULT_BUCKET_BYTES = 25L << 20;

    private final Module model;
    private final ProcessGroup group;
    private final List<Tensor> params;
    private final List<Bucket> buckets = new ArrayList<>();
    /** Owns every bucket's flat tensor, views and flag; shared: close() may come from any thread. */
    private final TensorOwner bucketTensors = TensorOwner.ofShared();
    private boolean closed;

    /** One contiguous buffer holding a run of parameters' gradients. */
    private static final class Bucket {
        Tensor flat;
        final List<Integer> members = new ArrayList<>();
        final List<Tensor> views = new ArrayList<>();
        Tensor flag; // the any-rank flag slot, in the first bucket only
    }

    /**
     * {@link #DistributedDataParallel(Module, ProcessGroup, long)} with {@link #DEFAULT_BUCKET_BYTES}.
     *
     * @throws DistributedException if the initial broadcast fails
     */
    public DistributedDataParallel(Module model, ProcessGroup group) {
        this(model, group, DEFAULT_BUCKET_BYTES);
    }

    /**
     * Wraps {@code model} and makes its parameters and buffers equal to rank 0's on every rank.
     *
     * @param bucketBytes the most bytes of gradients per all-reduce (a larger parameter gets a bucket
     *     of its own)
     * @throws IllegalArgumentException if {@code bucketBytes < 1} or the model has no parameters
     * @throws DistributedException if the broadcast fails (a peer is missing or died)
     */
    public DistributedDataParallel(Module model, ProcessGroup group, long bucketBytes) {
        this.model = Objects.requireNonNull(model, "model");
        this.group = Objects.requireNonNull(group, "group");
        if (bucketBytes < 1) {
            throw new IllegalArgumentException("bucketBytes must be >= 1, got " + bucketBytes);
        }
        this.params = model.parameters();
        if (params.isEmpty()) {
            throw new IllegalArgumentException("DistributedDataParallel: " + model.getClass().getSimpleName()
                    + " has no parameters");
        }
        try {
            makeBuckets(bucketBytes);
            broadcastState();
        } catch (RuntimeException | Error e) {
            close();
            throw e;
        }
    }

    /** Rank 0's parameters (through the buckets: one broadcast each) and buffers, in place, on every rank. */
    private void broadcastState() {
        for (Bucket b : buckets) {
            for (int j = 0; j < b.members.size(); j++) {
                TensorAccess.handle(b.views.get(j)).copyFrom(TensorAccess.handle(params.get(b.members.get(j))));
            }
            group.broadcast(0, b.flat);
            for (int j = 0; j < b.members.size(); j++) {
                TensorAccess.handle(params.get(b.members.get(j))).copyFrom(TensorAccess.handle(b.views.get(j)));
            }
        }
        for (Tensor buffer : model.namedBuffers().values()) {
            group.broadcast(0, buffer); // running statistics: few and small
        }
    }

    private void makeBuckets(long bucketBytes) {
        Map<String, List<Integer>> byKind = new LinkedHashMap<>();
        for (int i = 0; i < params.size(); i++) {
            Tensor p = params.get(i);
            byKind.computeIfAbsent(p.dtype() + "@" + p.device(), k -> new ArrayList<>()).add(i);
        }
        for (List<Integer> kind : byKind.values()) {
            Bucket b = null;
            long bytes = 0;
            for (int i : kind) {
                Tensor p = params.get(i);
                long n = p.numel() * p.dtype().byteSize();
                if (b == null || (bytes > 0 && bytes + n > bucketBytes)) {
                    b = new Bucket();
                    buckets.add(b);
                    bytes = 0;
                }
                b.members.add(i);
                bytes += n;
            }
        }
        for (int k = 0; k < buckets.size(); k++) {
            Bucket b = buckets.get(k);
            Tensor first = params.get(b.members.get(0));
            DType dtype = first.dtype();
            Device device = first.device();
            long total = k == 0 ? 1 : 0; // the first bucket carries the flag slot after the gradients
            for (int i : b.members) {
                total += params.get(i).numel();
            }
            String who = "DistributedDataParallel.bucket" + k;
            b.flat = TensorAccess.owned(NativeTensor.zeros(new long[] {total}, dtype, device), bucketTensors, who);
            NativeTensor flat = TensorAccess.handle(b.flat);
            long off = 0;
            for (int i : b.members) {
                Tensor p = params.get(i);
                long n = p.numel();
                NativeTensor slice = flat.narrow(0, off, n);
                try {
                    b.views.add(TensorAccess.owned(slice.view(p.shape().toArray()), bucketTensors, who + "[" + off + "]"));
                } finally {
                    slice.close();
                }
                off += n;
            }
            if (k == 0) {
                b.flag = TensorAccess.owned(flat.narrow(0, off, 1), bucketTensors, who + ".flag");
            }
        }
    }

    /** The wrapped model. */
    public Module module() {
        return model;
    }

    /** The group gradients are averaged over. */
    public ProcessGroup group() {
        return group;
    }

    /** All-reduce calls per {@link #syncGradients()}: one per bucket. */
    public int bucketCount() {
        return buckets.size();
    }

    /**
     * Replaces every parameter's gradient, in place, by its mean over all ranks. Call it on every
     * rank after {@code backward()} and before the optimizer's {@code step()}.
     *
     * @throws DistributedException if a peer died or did not answer within the group's timeout
     * @throws IllegalStateException if closed
     */
    public void syncGradients() {
        syncGradients(false);
    }

    /**
     * {@link #syncGradients()} that also tells whether any rank raised {@code flag}, at no extra
     * collective: the flag rides in the first bucket. Training loops use it to agree on stopping
     * at the same step on every rank (a rank that stopped alone would leave the others waiting).
     *
     * @return true if {@code flag} was true on at least one rank
     */
    public boolean syncGradients(boolean flag) {
        if (closed) {
            throw new IllegalStateException("DistributedDataParallel is closed");
        }
        int world = group.worldSize();
        boolean any = false;
        for (Bucket b : buckets) {
            for (int j = 0; j < b.members.size(); j++) {
                NativeTensor view = TensorAccess.handle(b.views.get(j));
                withGrad(TensorAccess.handle(params.get(b.members.get(j))), g -> {
                    if (g == null) {
                        NativeDist.zeroInPlace(view);
                    } else {
                        view.copyFrom(g);
                    }
                });
            }
            if (b.flag != null) {
                NativeDist.fillInPlace(TensorAccess.handle(b.flag), flag ? 1 : 0);
            }
            group.allReduce(ReduceOp.SUM, b.flat);
            if (world > 1) {
                NativeDist.divInPlace(TensorAccess.handle(b.flat), world);
            }
            for (int j = 0; j < b.members.size(); j++) {
                NativeTensor view = TensorAccess.handle(b.views.get(j));
                NativeTensor p = TensorAccess.handle(params.get(b.members.get(j)));
                withGrad(p, g -> {
                    if (g == null) {
                        NativeTensor copy = view.cloneTensor();
                        try {
                            p.setGrad(copy);
                        } finally {
                            copy.close();
                        }
                    } else {
                        g.copyFrom(view);
                    }
                });
            }
            if (b.flag != null) {
                any = TensorAccess.handle(b.flag).toDoubles()[0] > 0;
            }
        }
        return any;
    }

    /** {@code f} with a handle on {@code p}'s gradient (null if it has none), closed afterwards. */
    private static void withGrad(NativeTensor p, java.util.function.Consumer<NativeTensor> f) {
        NativeTensor g = p.grad();
        try {
            f.accept(g);
        } finally {
            if (g != null) {
                g.close();
            }
        }
    }

    /** Frees the buckets; the model and the group stay open. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        bucketTensors.close();
        buckets.clear();
    }
}
