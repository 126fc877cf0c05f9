package dev.jtorch.amp;

import dev.jtorch.DType;
import dev.jtorch.Device;
import dev.jtorch.cuda.Cuda;
import dev.jtorch.internal.NativeAmp;
import java.util.ArrayDeque;
import java.util.Objects;

/**
 * Runs eligible ops in a lower precision on the current thread until closed
 * ({@code torch.autocast(device_type, dtype)}).
 *
 * <pre>{@code
 * try (Autocast a = Autocast.enter(Device.CPU, DType.BFLOAT16)) {
 *     Tensor logits = model.forward(x);               // Linear/matmul/conv run in bfloat16
 *     loss = F.crossEntropy(logits, y);               // autocast runs the loss in float32
 * }
 * loss.backward();                                    // outside: gradients reach the float32 weights
 * }</pre>
 *
 * <p>libtorch's own policy decides per op: matrix products and convolutions run in the autocast
 * dtype (their float32 inputs, weights included, are cast on the way in), numerically touchy ops
 * such as {@code nll_loss} run in float32, other ops run in their inputs' dtype. Parameters stay
 * float32; their casts are cached while the outermost guard is open (libtorch's weight-cast cache,
 * cleared on its exit, as PyTorch does). Run {@code backward()} after closing the guard.
 *
 * <p>Autocast is per device <i>type</i>: a guard for {@code cuda:1} affects every CUDA tensor of
 * this thread. The state is thread-local: other threads are unaffected, and guards must be closed
 * on the thread that entered them, innermost first; {@link #close()} restores exactly the state
 * found on entry (enabled flag, dtype, cache flag), so guards nest.
 *
 * <p>One deviation from PyTorch: libtorch keys its weight-cast cache by weight only, so a nested
 * guard with another dtype would be handed the outer guard's casts (PyTorch then fails with
 * "mat1 and mat2 must have the same dtype"); jtorch drops the cache whenever a nested guard
 * changes the dtype, on entry and on exit.
 *
 * <p>Supported: CPU with {@link DType#BFLOAT16} (the fast one on CPUs with bfloat16 instructions)
 * or {@link DType#FLOAT16}; CUDA with {@link DType#FLOAT16} (pair it with a {@link GradScaler} for
 * training) or {@link DType#BFLOAT16} (needs a GPU with bfloat16 support, compute capability 8.0+).
 */
public final class Autocast implements AutoCloseable {
    /** Open guards of this thread, innermost last: restoring state is only right in LIFO order. */
    private static final ThreadLocal<ArrayDeque<Autocast>> OPEN = ThreadLocal.withInitial(ArrayDeque::new);

    private final Thread thread = Thread.currentThread();
    private final Device.Type type;
    private final boolean prevEnabled;
    private final DType prevDtype;
    private final boolean prevCache;
    private boolean closed;

    private Autocast(Device.Type type, boolean enabled, DType dtype, boolean cache) {
        this.type = type;
        this.prevEnabled = NativeAmp.enabled(type);
        this.prevDtype = NativeAmp.dtype(type);
        this.prevCache = NativeAmp.cacheEnabled();
        NativeAmp.setEnabled(type, enabled);
        if (dtype != null) {
            NativeAmp.setDtype(type, dtype);
        }
        if (NativeAmp.incrementNesting() > 1 && dtype != null && dtype != prevDtype) {
            NativeAmp.clearCache(); // the cache is keyed by weight, not dtype: see the class comment
        }
        NativeAmp.setCacheEnabled(cache);
        OPEN.get().addLast(this);
    }

    /**
     * Enables autocast to {@code dtype} for {@code device}'s type on this thread, with the
     * weight-cast cache on.
     *
     * @param device {@code Device.CPU} or a CUDA device (only its type matters)
     * @param dtype {@link DType#BFLOAT16} or {@link DType#FLOAT16}
     * @throws IllegalArgumentException if the dtype is not a supported autocast dtype
     * @throws UnsupportedOperationException for a CUDA device when CUDA is not available
     */
    public static Autocast enter(Device device, DType dtype) {
        return enter(device, dtype, true);
    }

    /**
     * {@link #enter(Device, DType)} with the weight-cast cache on or off ({@code cache_enabled}).
     * The cache saves re-casting float32 weights on every use within one region; turn it off when
     * the weights change inside the region.
     *
     * @throws IllegalArgumentException if the dtype is not a supported autocast dtype
     * @throws UnsupportedOperationException for a CUDA device when CUDA is not available
     */
    public static Autocast enter(Device device, DType dtype, boolean cacheEnabled) {
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(dtype, "dtype");
        checkSupported(device, dtype);
        return new Autocast(device.type(), true, dtype, cacheEnabled);
    }

    /**
     * Disables autocast for {@code device}'s type inside an autocast region
     * ({@code torch.autocast(..., enabled=False)}): ops there run in their inputs' dtypes, e.g. a
     * numerically sensitive block kept in float32 (cast its bfloat16 inputs yourself).
     */
    public static Autocast disable(Device device) {
        Objects.requireNonNull(device, "device");
        return new Autocast(device.type(), false, null, NativeAmp.cacheEnabled());
    }

    /**
     * Checks that autocast to {@code dtype} is supported for {@code device}, without entering it.
     *
     * @throws IllegalArgumentException if the dtype is not a supported autocast dtype
     * @throws UnsupportedOperationException for a CUDA device when CUDA is not available
     */
    public static void checkSupported(Device device, DType dtype) {
        if (dtype != DType.BFLOAT16 && dtype != DType.FLOAT16) {
            throw new IllegalArgumentException("autocast on " + device + " supports bfloat16 and float16, not " + dtype
                    + (dtype == DType.FLOAT32 ? " (float32 is what runs without autocast: just do not enter it)" : ""));
        }
        if (device.isCuda() && !Cuda.isAvailable()) {
            throw new UnsupportedOperationException("autocast on " + device + ": CUDA is not available (CPU build or"
                    + " no device)");
        }
        if (!NativeAmp.available(device.type())) {
            throw new UnsupportedOperationException("this libtorch has no autocast for " + device.type());
        }
    }

    /** Whether autocast is enabled for {@code device}'s type on this thread. */
    public static boolean isEnabled(Device device) {
        return NativeAmp.enabled(device.type());
    }

    /**
     * The dtype autocast casts to for {@code device}'s type on this thread (libtorch's default
     * when no guard set one: bfloat16 on CPU, float16 on CUDA).
     */
    public static DType dtype(Device device) {
        return NativeAmp.dtype(device.type());
    }

    /**
     * Restores the autocast state found on entry; idempotent. When the outermost guard of this
     * thread closes, the cached weight casts are freed.
     *
     * @throws IllegalStateException if called from another thread, or while a guard opened later
     *     on this thread is still open
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        if (Thread.currentThread() != thread) {
            throw new IllegalStateException("Autocast must be closed on the thread that entered it (" + thread.getName()
                    + ")");
        }
        ArrayDeque<Autocast> open = OPEN.get();
        if (open.peekLast() != this) {
            throw new IllegalStateException("Autocast guards must be closed innermost first; a guard opened after this"
                    + " one is still open");
        }
        open.removeLast();
        closed = true;
        DType current = NativeAmp.dtype(type);
        if (NativeAmp.decrementNesting() == 0 || current != prevDtype) {
            NativeAmp.clearCache();
        }
        NativeAmp.setEnabled(type, prevEnabled);
        NativeAmp.setDtype(type, prevDtype);
        NativeAmp.setCacheEnabled(prevCache);
    }
}
