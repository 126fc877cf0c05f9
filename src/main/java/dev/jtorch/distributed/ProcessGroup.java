package dev.jtorch.distributed;

import dev.jtorch.TorchException;
import dev.jtorch.internal.NativeDist;
import dev.jtorch.internal.NativeTensor;
import dev.jtorch.tensor.Tensor;
import dev.jtorch.tensor.access.TensorAccess;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A group of processes that run collectives together: PyTorch's
 * {@code torch.distributed.init_process_group} and its {@code all_reduce}, {@code broadcast} and
 * {@code barrier}, over libtorch's c10d.
 *
 * <pre>{@code
 * try (ProcessGroup g = ProcessGroup.init(Backend.GLOO, "tcp://127.0.0.1:29500", rank, 2, Duration.ofSeconds(60));
 *      TensorScope s = TensorScope.open()) {
 *     Tensor t = Tensor.ones(3).mul(rank + 1);
 *     g.allReduce(t);                                  // in place: [3, 3, 3] on both ranks
 * }
 * }</pre>
 *
 * <p><b>Rendezvous.</b> {@code tcp://HOST:PORT}: rank 0 hosts a c10d TCPStore on PORT and waits
 * for the other {@code worldSize - 1} ranks, which connect to HOST:PORT. {@code file:///PATH}: a
 * c10d FileStore at PATH, which every rank must reach and which must not hold a previous run's
 * keys (use a fresh file per run). Either way, a rank that does not show up within the timeout
 * makes {@link #init} fail with a {@link DistributedException} on the others.
 *
 * <p><b>Timeouts.</b> Every collective waits at most {@link #timeout()} for its peers: a peer
 * that died is usually noticed at once (its connections close), one that stalls after the
 * timeout. Either ends in a {@link DistributedException} naming this rank and the operation;
 * the group is unusable afterwards. Nothing ever waits forever.
 *
 * <p><b>Threads.</b> c10d matches collectives across processes by the order they are issued, so
 * all of a group's calls must come from one thread (or be otherwise ordered). Tensors passed in
 * are modified in place and must stay open until the call returns; the group owns no tensors.
 *
 * <p><b>Backends.</b> Gloo runs on CPU tensors over TCP (loopback when the master address is a
 * loopback address; otherwise the interface named by {@code GLOO_SOCKET_IFNAME}, or the address
 * this host's name resolves to). NCCL needs CUDA tensors and the GPU natives; its path has not run
 * on hardware yet.
 */
public final class ProcessGroup implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ProcessGroup.class);

    private final NativeDist dist;
    private final Backend backend;
    private final Duration timeout;
    private final String initMethod;
    private boolean closed;

    private ProcessGroup(NativeDist dist, Backend backend, Duration timeout, String initMethod) {
        this.dist = dist;
        this.backend = backend;
        this.timeout = timeout;
        this.initMethod = initMethod;
    }

    /**
     * Joins a group of {@code worldSize} processes; returns once all of them have joined.
     *
     * @param backend Gloo (CPU tensors) or NCCL (CUDA tensors)
     * @param initMethod {@code tcp://HOST:PORT} or {@code file:///PATH} (see the class comment)
     * @param rank this process's rank, 0 .. worldSize - 1; rank 0 hosts the TCP rendezvous
     * @param worldSize the number of processes, at least 1
     * @param timeout how long the rendezvous and each collective may wait for the other ranks
     * @throws IllegalArgumentException for a malformed init method, rank, size or timeout
     * @throws DistributedException if the other ranks do not all join within {@code timeout}, or
     *     the address is taken
     */
    public static ProcessGroup init(Backend backend, String initMethod, int rank, int worldSize, Duration timeout) {
        Objects.requireNonNull(backend, "backend");
        if (worldSize < 1) {
            throw new IllegalArgumentException("world size must be >= 1, got " + worldSize);
        }
        if (rank < 0 || rank >= worldSize) {
            throw new IllegalArgumentException("rank must be in 0.." + (worldSize - 1) + " for world size " + worldSize
                    + ", got " + rank);
        }
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive, got " + timeout);
        }
        Rendezvous r = Rendezvous.parse(initMethod);
        long ms = Math.max(1, timeout.toMillis());
        long t0 = System.nanoTime();
        try {
            NativeDist d = NativeDist.open(backend == Backend.NCCL, r.host, r.port, r.file, rank, worldSize, ms);
            LOG.debug("rank {} of {} joined {} ({}) in {} ms", rank, worldSize, initMethod, backend,
                    (System.nanoTime() - t0) / 1_000_000);
            return new ProcessGroup(d, backend, timeout, initMethod);
        } catch (TorchException e) {
            throw new DistributedException("rank " + rank + " of " + worldSize + ": rendezvous at " + initMethod
                    + " failed after " + seconds(System.nanoTime() - t0) + " (timeout " + seconds(timeout) + "): "
                    + rendezvousHint(e, rank) + " [" + e.getMessage() + "]", e);
        }
    }

    /** This process's rank. */
    public int rank() {
        return dist.rank();
    }

    /** The number of processes in the group. */
    public int worldSize() {
        return dist.size();
    }

    /** The backend the group runs on. */
    public Backend backend() {
        return backend;
    }

    /** How long the rendezvous and each collective may wait for the other ranks. */
    public Duration timeout() {
        return timeout;
    }

    /** {@link #allReduce(ReduceOp, Tensor...)} with {@link ReduceOp#SUM}. */
    public void allReduce(Tensor... tensors) {
        allReduce(ReduceOp.SUM, tensors);
    }

    /**
     * Combines each tensor elementwise across all ranks, in place: afterwards every rank holds the
     * same result. Each tensor is one collective (to reduce many small tensors in one call, copy
     * them into one buffer first, as {@link DistributedDataParallel} does). Each tensor must be contiguous, with the same shape and dtype on every rank, on
     * the CPU (Gloo) or a CUDA device (NCCL).
     *
     * @throws DistributedException if a peer died or did not answer within {@link #timeout()}
     * @throws IllegalStateException if the group or a tensor is closed
     */
    public void allReduce(ReduceOp op, Tensor... tensors) {
        checkOpen();
        try {
            // one collective per tensor: c10d reads a vector of tensors as one tensor per local device
            for (NativeTensor h : handles(tensors)) {
                dist.allReduce(new NativeTensor[] {h}, op.ordinal(), describe(h) + ", " + op);
            }
        } catch (TorchException e) {
            throw failure(e);
        }
    }

    /**
     * Overwrites each tensor with rank {@code root}'s values, in place, on every rank (one
     * collective per tensor).
     *
     * @throws IllegalArgumentException if {@code root} is not a rank of the group
     * @throws DistributedException if a peer died or did not answer within {@link #timeout()}
     */
    public void broadcast(int root, Tensor... tensors) {
        checkOpen();
        if (root < 0 || root >= worldSize()) {
            throw new IllegalArgumentException("broadcast root must be in 0.." + (worldSize() - 1) + ", got " + root);
        }
        try {
            for (NativeTensor h : handles(tensors)) {
                dist.broadcast(new NativeTensor[] {h}, root, describe(h));
            }
        } catch (TorchException e) {
            throw failure(e);
        }
    }

    /**
     * Returns once every rank has entered the barrier.
     *
     * @throws DistributedException if a peer died or did not arrive within {@link #timeout()}
     */
    public void barrier() {
        checkOpen();
        try {
            dist.barrier();
        } catch (TorchException e) {
            throw failure(e);
        }
    }

    /** Whether {@link #close()} has run. */
    public boolean isClosed() {
        return closed;
    }

    /** Leaves the group: its threads and connections end and its native objects are freed. Idempotent. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            dist.close();
        }
    }

    @Override
    public String toString() {
        return "ProcessGroup(" + backend + ", rank " + rank() + " of " + worldSize() + ", " + initMethod + ")";
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException(this + " is closed");
        }
    }

    private static NativeTensor[] handles(Tensor[] tensors) {
        if (tensors.length == 0) {
            throw new IllegalArgumentException("a collective needs at least one tensor");
        }
        NativeTensor[] h = new NativeTensor[tensors.length];
        for (int i = 0; i < tensors.length; i++) {
            h[i] = TensorAccess.handle(Objects.requireNonNull(tensors[i], "tensor " + i));
        }
        return h;
    }

    private static String describe(NativeTensor t) {
        return t.numel() + " " + t.dtype() + " values";
    }

    private DistributedException failure(TorchException e) {
        return new DistributedException(e.getMessage() + " — " + collectiveHint(e, seconds(timeout)), e);
    }

    /** Why a collective failed, in words a user can act on. */
    static String collectiveHint(TorchException e, String timeout) {
        String m = String.valueOf(e.nativeMessage()).toLowerCase(Locale.ROOT);
        if (m.contains("timed out") || m.contains("timeout")) {
            return "a peer did not answer within the timeout of " + timeout + " (stalled, or much slower than this rank)";
        }
        if (m.contains("closed") || m.contains("reset") || m.contains("broken pipe") || m.contains("eof")
                || m.contains("connection refused")) {
            return "a peer process died or left the group";
        }
        return "the collective failed on this rank or a peer";
    }

    private static String rendezvousHint(TorchException e, int rank) {
        String m = String.valueOf(e.nativeMessage()).toLowerCase(Locale.ROOT);
        if (m.contains("address already in use")) {
            return "the rendezvous port is taken (another run, or a previous one still exiting)";
        }
        if (rank == 0) {
            return "not every rank joined (a worker is missing, was started with another world size or master,"
                    + " or died)";
        }
        return "could not meet rank 0 and the others (rank 0 is not running or unreachable, or a rank is missing)";
    }

    private static String seconds(long nanos) {
        return String.format(Locale.ROOT, "%.1f s", nanos / 1e9);
    }

    private static String seconds(Duration d) {
        return seconds(d.toNanos());
    }

    /** A parsed init method. */
    private record Rendezvous(String host, int port, String file) {
        static Rendezvous parse(String initMethod) {
            Objects.requireNonNull(initMethod, "initMethod");
            URI u;
            try {
                u = new URI(initMethod);
            } catch (URISyntaxException e) {
                throw new IllegalArgumentException("init method must be tcp://HOST:PORT or file:///PATH, got '"
                        + initMethod + "'", e);
            }
            String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
            if (scheme.equals("tcp")) {
                if (u.getHost() == null || u.getPort() < 1 || u.getPort() > 65535) {
                    throw new IllegalArgumentException("init method tcp://HOST:PORT needs a host and a port in"
                            + " 1..65535, got '" + initMethod + "'");
                }
                return new Rendezvous(u.getHost(), u.getPort(), null);
            }
            if (scheme.equals("file") && u.getPath() != null && !u.getPath().isEmpty()) {
                return new Rendezvous(null, 0, Path.of(u.getPath()).toAbsolutePath().toString());
            }
            throw new IllegalArgumentException("init method must be tcp://HOST:PORT or file:///PATH, got '"
                    + initMethod + "'");
        }
    }

    /** {@code tcp://host:port} (IPv6 literals bracketed). */
    public static String tcp(String host, int port) {
        String h = host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
        return "tcp://" + h + ":" + port;
    }

    /** {@code file://} plus the absolute path of {@code file}. */
    public static String file(Path file) {
        return file.toAbsolutePath().toUri().toString();
    }
}
