package dev.jtorch.internal;

import java.net.InetAddress;
import java.net.UnknownHostException;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.SizeTPointer;
import org.bytedeco.javacpp.chrono.Milliseconds;
import org.bytedeco.pytorch.AllreduceOptions;
import org.bytedeco.pytorch.Backend;
import org.bytedeco.pytorch.BarrierOptions;
import org.bytedeco.pytorch.BroadcastOptions;
import org.bytedeco.pytorch.FileStore;
import org.bytedeco.pytorch.GlooDeviceVector;
import org.bytedeco.pytorch.ProcessGroupGloo;
import org.bytedeco.pytorch.ReduceOp;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Store;
import org.bytedeco.pytorch.TCPStore;
import org.bytedeco.pytorch.TCPStoreOptions;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.Work;

/**
 * One c10d process group (Gloo or NCCL) and the store it met its peers through.
 *
 * <p>Every collective is issued and waited for on the calling thread; the group's own timeout
 * bounds each wait, so a dead or stalled peer surfaces as a {@code TorchException} (through
 * {@link Errors}) instead of a hang. Not thread-safe: c10d matches collectives across processes by
 * the order in which they are issued, so one thread must issue them all.
 */
public final class NativeDist implements AutoCloseable {
    static {
        NativeRuntime.ensureLoaded();
    }

    /** Reduction operators, in the order of {@code dev.jtorch.distributed.ReduceOp}. */
    private static final ReduceOp.RedOpType[] OPS = {
        ReduceOp.RedOpType.SUM, ReduceOp.RedOpType.PRODUCT, ReduceOp.RedOpType.MIN, ReduceOp.RedOpType.MAX
    };

    private final Store store;
    private final Backend group;
    private final int rank;
    private final int size;
    private final long timeoutMillis;
    private boolean closed;

    private NativeDist(Store store, Backend group, int rank, int size, long timeoutMillis) {
        this.store = store;
        this.group = group;
        this.rank = rank;
        this.size = size;
        this.timeoutMillis = timeoutMillis;
    }

    /**
     * Meets the other ranks and forms a group.
     *
     * <p>Rendezvous: with {@code file == null}, a TCPStore that rank 0 hosts on {@code host:port}
     * (rank 0 waits until all {@code size - 1} others have connected, the others retry connecting,
     * both give up after {@code timeoutMillis}); otherwise a FileStore at {@code file}, a path every
     * rank can reach.
     *
     * @param nccl NCCL (CUDA tensors) rather than Gloo
     */
    public static NativeDist open(boolean nccl, String host, int port, String file, int rank, int size,
                                  long timeoutMillis) {
        Store store = file == null ? tcpStore(host, port, rank, size, timeoutMillis)
                : fileStore(file, rank, size, timeoutMillis);
        return nccl ? nccl(store, rank, size, timeoutMillis) : gloo(store, host, rank, size, timeoutMillis);
    }

    private static Store tcpStore(String host, int port, int rank, int size, long timeoutMillis) {
        try (TCPStoreOptions o = new TCPStoreOptions(); SizeTPointer workers = new SizeTPointer(1);
             Milliseconds timeout = new Milliseconds(timeoutMillis)) {
            workers.put((long) size);
            o.port((short) port).isServer(rank == 0).numWorkers(workers).waitWorkers(true).timeout(timeout);
            return new TCPStore(host, o);
        } catch (RuntimeException e) {
            throw Errors.translate(e, "rank " + rank + " of " + size + ": TCPStore(" + host + ":" + port + ")");
        }
    }

    private static Store fileStore(String path, int rank, int size, long timeoutMillis) {
        try {
            FileStore s = new FileStore(path, size);
            try (Milliseconds timeout = new Milliseconds(timeoutMillis)) {
                s.setTimeout(timeout);
            }
            return s;
        } catch (RuntimeException e) {
            throw Errors.translate(e, "rank " + rank + " of " + size + ": FileStore(" + path + ")");
        }
    }

    /**
     * A Gloo group over {@code store}, which it takes over. The transport binds to the interface
     * named by the {@code GLOO_SOCKET_IFNAME} environment variable if set (as in PyTorch), to
     * loopback when the master is a loopback address or there is none (file store), and otherwise
     * to the address this host's name resolves to.
     */
    private static NativeDist gloo(Store store, String masterHost, int rank, int size, long timeoutMillis) {
        String where = "rank " + rank + " of " + size + ": ProcessGroupGloo";
        try {
            // libjnitorch_gloo.so (loaded by the gloo.Device class below) was extracted with the
            // rest of the presets by NativeRuntime.ensureLoaded(); loading it now links against
            // the libtorch already in the process, never a system copy.
            Loader.load(org.bytedeco.pytorch.global.torch_gloo.class);
            org.bytedeco.pytorch.gloo.Device device = glooDevice(masterHost);
            try (Milliseconds timeout = new Milliseconds(timeoutMillis);
                 ProcessGroupGloo.Options opts = new ProcessGroupGloo.Options(timeout);
                 GlooDeviceVector devices = new GlooDeviceVector(device)) {
                opts.devices(devices);
                device.close();
                ProcessGroupGloo pg = new ProcessGroupGloo(store, rank, size, opts);
                return new NativeDist(store, pg, rank, size, timeoutMillis);
            }
        } catch (RuntimeException | UnsatisfiedLinkError e) {
            store.close();
            if (e instanceof UnsatisfiedLinkError) {
                throw new IllegalStateException(where + ": the presets' Gloo library did not load (" + e.getMessage()
                        + "); Gloo needs the linux-x86_64 natives", e);
            }
            throw Errors.translate((RuntimeException) e, where);
        }
    }

    private static org.bytedeco.pytorch.gloo.Device glooDevice(String masterHost) {
        String iface = System.getenv("GLOO_SOCKET_IFNAME");
        if (iface != null && !iface.isBlank()) {
            return ProcessGroupGloo.createDeviceForInterface(iface.trim());
        }
        if (masterHost == null || isLoopback(masterHost)) {
            return ProcessGroupGloo.createDeviceForHostname("127.0.0.1");
        }
        return ProcessGroupGloo.createDefaultDevice();
    }

    private static boolean isLoopback(String host) {
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /**
     * An NCCL group over {@code store}, which it takes over (CUDA tensors only).
     *
     * <p>Written against the presets' {@code ProcessGroupNCCL} and reviewed, but never run: the
     * machines this was built on have no GPU and the CPU natives ship no {@code libjnitorch_nccl}.
     */
    private static NativeDist nccl(Store store, int rank, int size, long timeoutMillis) {
        String where = "rank " + rank + " of " + size + ": ProcessGroupNCCL";
        try {
            var opts = new org.bytedeco.pytorch.nccl.ProcessGroupNCCL.Options();
            try (Milliseconds timeout = new Milliseconds(timeoutMillis)) {
                opts.timeout(timeout);
            }
            var pg = new org.bytedeco.pytorch.nccl.ProcessGroupNCCL(store, rank, size, opts);
            opts.close();
            return new NativeDist(store, pg, rank, size, timeoutMillis);
        } catch (RuntimeException | UnsatisfiedLinkError | NoClassDefFoundError e) {
            store.close();
            if (e instanceof RuntimeException r) {
                throw Errors.translate(r, where);
            }
            throw new IllegalStateException(where + ": NCCL is not in these natives (" + e.getMessage()
                    + "); build with -Pcuda (the linux-x86_64-gpu natives) or use the gloo backend", e);
        }
    }

    /** This process's rank. */
    public int rank() {
        return rank;
    }

    /** The number of processes. */
    public int size() {
        return size;
    }

    /** Reduces {@code tensors} elementwise across ranks, in place, with operator {@code op} (0 sum, 1 product, 2 min, 3 max). */
    public void allReduce(NativeTensor[] tensors, int op, String what) {
        checkOpen();
        try (TensorVector v = vector(tensors); ReduceOp r = new ReduceOp(OPS[op]);
             AllreduceOptions o = new AllreduceOptions()) {
            o.reduceOp(r);
            run(group.allreduce(v, o));
        } catch (RuntimeException e) {
            throw Errors.translate(e, "rank " + rank + " of " + size + ": allReduce(" + what + ")");
        }
    }

    /** Overwrites {@code tensors} on every rank with rank {@code root}'s values. */
    public void broadcast(NativeTensor[] tensors, int root, String what) {
        checkOpen();
        try (TensorVector v = vector(tensors); BroadcastOptions o = new BroadcastOptions()) {
            o.rootRank(root);
            run(group.broadcast(v, o));
        } catch (RuntimeException e) {
            throw Errors.translate(e, "rank " + rank + " of " + size + ": broadcast(" + what + ", root " + root + ")");
        }
    }

    /** Returns once every rank has called it. */
    public void barrier() {
        checkOpen();
        try (BarrierOptions o = new BarrierOptions()) {
            run(group.barrier(o));
        } catch (RuntimeException e) {
            throw Errors.translate(e, "rank " + rank + " of " + size + ": barrier");
        }
    }

    /** Divides {@code t} by {@code v} in place (the mean after a sum all-reduce). */
    public static void divInPlace(NativeTensor t, double v) {
        inPlace(t, () -> "div_(" + v + ")", p -> {
            try (Scalar s = new Scalar(v)) {
                p.div_(s);
            }
        });
    }

    /** Sets every element of {@code t} to {@code v} in place. */
    public static void fillInPlace(NativeTensor t, double v) {
        inPlace(t, () -> "fill_(" + v + ")", p -> {
            try (Scalar s = new Scalar(v)) {
                p.fill_(s);
            }
        });
    }

    /** Sets {@code t} to zero in place. */
    public static void zeroInPlace(NativeTensor t) {
        inPlace(t, () -> "zero_", Tensor::zero_);
    }

    /** {@code f} on {@code t}'s native tensor, held for the call; a native failure names {@code op}. */
    private static void inPlace(NativeTensor t, java.util.function.Supplier<String> op, java.util.function.Consumer<Tensor> f) {
        Tensor p = t.acquire();
        try {
            f.accept(p);
        } catch (RuntimeException e) {
            throw Errors.translate(e, op.get());
        } finally {
            t.release();
        }
    }

    private void run(Work w) {
        try {
            w._wait();
        } finally {
            w.close();
        }
    }

    private static TensorVector vector(NativeTensor[] tensors) {
        TensorVector v = new TensorVector(tensors.length);
        for (int i = 0; i < tensors.length; i++) {
            // put copies the tensor (a reference of its own), so the use is held only for the copy
            Tensor p = tensors[i].acquire();
            try {
                v.put(i, p);
            } finally {
                tensors[i].release();
            }
        }
        return v;
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("process group (rank " + rank + " of " + size + ") is closed");
        }
    }

    /** Shuts the group down (its threads and connections end) and frees it and the store; idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            group.shutdown();
        } catch (RuntimeException e) {
            // a group whose peers are gone may fail to shut down cleanly; it is freed below anyway
        } finally {
            group.close();
            store.close();
        }
    }
}
