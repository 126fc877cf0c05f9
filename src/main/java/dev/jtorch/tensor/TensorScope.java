package dev.jtorch.tensor;

import dev.jtorch.internal.NativeCuda;
import java.util.Arrays;

/**
 * Owns every tensor created on this thread while it is the innermost open scope, and frees them
 * all, at once, when closed.
 *
 * <pre>{@code
 * try (TensorScope s = TensorScope.open()) {
 *     Tensor probs = F.softmax(model.forward(x), 1);   // intermediates die with the scope
 *     return s.keep(probs.argmax(1));                  // ... this one moves out
 * }
 * }</pre>
 *
 * <p>Scopes are thread-confined and nest: {@link #keep} hands a tensor to the enclosing scope, or,
 * at the outermost level, to the caller, who must {@link Tensor#close()} it. Every tensor op needs
 * an open scope; outside one it throws {@link IllegalStateException} rather than leak. Modules,
 * their parameters and optimizers are not owned by scopes: they live until closed. For tensors that
 * must outlive every scope, an explicit {@link TensorOwner} is the alternative to {@link #keep}.
 */
public final class TensorScope implements AutoCloseable {
    private static final ThreadLocal<TensorScope> CURRENT = new ThreadLocal<>();

    private final TensorScope parent;
    private final Thread thread;
    private Tensor[] items = new Tensor[16];
    private int size;
    private boolean closed;
    private long freedDeviceBytes;

    private TensorScope(TensorScope parent) {
        this.parent = parent;
        this.thread = Thread.currentThread();
    }

    /** Opens a scope nested in this thread's current one (if any) and makes it current. */
    public static TensorScope open() {
        TensorScope s = new TensorScope(CURRENT.get());
        CURRENT.set(s);
        return s;
    }

    /** This thread's innermost open scope, or null. */
    public static TensorScope current() {
        return CURRENT.get();
    }

    /** Whether a scope is open on this thread. */
    public static boolean isOpen() {
        return CURRENT.get() != null;
    }

    void adopt(Tensor t) {
        if (size == items.length) {
            items = Arrays.copyOf(items, size * 2);
        }
        items[size++] = t;
        t.owner = this;
    }

    /**
     * Moves {@code t} out of this scope: to the enclosing scope, or to the caller (who then closes
     * it) if this is the outermost one. A tensor this scope does not own is returned unchanged when
     * it already outlives the scope.
     *
     * @return {@code t}, for chaining
     * @throws IllegalStateException if this scope is closed, used from another thread, or
     *     {@code t} is closed or belongs to a scope on another thread
     */
    public Tensor keep(Tensor t) {
        checkOpen("keep");
        if (t.isClosed()) {
            throw new IllegalStateException("cannot keep a closed tensor");
        }
        TensorScope o = t.owner;
        if (o != this) {
            if (o != null && o.thread != thread) {
                throw new IllegalStateException("tensor belongs to a scope of thread " + o.thread.getName());
            }
            if (o == null || !o.isNestedIn(this)) {
                return t; // the caller or an enclosing scope already owns it: it outlives this scope
            }
        }
        o.remove(t);
        if (parent != null) {
            parent.adopt(t);
        } else {
            t.owner = null;
        }
        return t;
    }

    private boolean isNestedIn(TensorScope outer) {
        for (TensorScope s = parent; s != null; s = s.parent) {
            if (s == outer) {
                return true;
            }
        }
        return false;
    }

    /** Lets a {@link TensorOwner} take {@code t} from this scope; only on this scope's thread. */
    void release(Tensor t) {
        if (Thread.currentThread() != thread) {
            throw new IllegalStateException("tensor belongs to a scope of thread " + thread.getName());
        }
        remove(t);
    }

    private void remove(Tensor t) {
        for (int i = size - 1; i >= 0; i--) {
            if (items[i] == t) {
                items[i] = null;
                return;
            }
        }
    }

    /** Keeps each tensor; see {@link #keep(Tensor)}. */
    public void keep(Tensor... ts) {
        for (Tensor t : ts) {
            keep(t);
        }
    }

    /** Number of tensors this scope currently owns and has not yet seen closed. */
    public int size() {
        int n = 0;
        for (int i = 0; i < size; i++) {
            if (items[i] != null && !items[i].isClosed()) {
                n++;
            }
        }
        return n;
    }

    /** Whether this scope has been closed. */
    public boolean isClosed() {
        return closed;
    }

    private void checkOpen(String what) {
        if (Thread.currentThread() != thread) {
            throw new IllegalStateException("TensorScope." + what + " on thread " + Thread.currentThread().getName()
                    + ", but the scope belongs to thread " + thread.getName());
        }
        if (closed) {
            throw new IllegalStateException("TensorScope." + what + " after the scope was closed");
        }
    }

    /**
     * Frees every tensor this scope still owns, newest first, closing any nested scope left open,
     * and makes the enclosing scope current again.
     *
     * @throws IllegalStateException if already closed or called from another thread
     */
    @Override
    public void close() {
        checkOpen("close");
        TensorScope top = CURRENT.get();
        while (top != null && top != this) {
            top.free();
            top = top.parent;
        }
        free();
        CURRENT.set(parent);
    }

    /**
     * The bytes by which the CUDA caching allocator's allocated figure dropped while this scope
     * freed its tensors, summed over the devices they were on.
     *
     * <p>0 when the scope freed no CUDA tensor (always on the CPU build: nothing is measured then),
     * and for memory still shared with a tensor that outlives the scope (a kept view). The figure is
     * per device and process-wide, so allocations by other threads during the close distort it; it
     * is never negative.
     *
     * @throws IllegalStateException if the scope is still open
     */
    public long freedDeviceBytes() {
        if (!closed) {
            throw new IllegalStateException("TensorScope.freedDeviceBytes() before the scope was closed");
        }
        return freedDeviceBytes;
    }

    /**
     * Devices (bit i = cuda:i) holding a tensor this scope is about to free; 0 without CUDA, where
     * no tensor is looked at. Never throws: freeing must go on.
     */
    private long cudaDevices() {
        if (size == 0) {
            return 0;
        }
        try {
            if (!NativeCuda.available()) {
                return 0;
            }
            long mask = 0;
            for (int i = 0; i < size; i++) {
                Tensor t = items[i];
                if (t != null) {
                    int d = NativeCuda.cudaDeviceOf(t.h());
                    if (d >= 0 && d < 64) {
                        mask |= 1L << d;
                    }
                }
            }
            return mask;
        } catch (RuntimeException | LinkageError e) {
            return 0;
        }
    }

    private void free() {
        closed = true;
        long cudaDevices = cudaDevices();
        long[] before = cudaDevices == 0 ? null : NativeCuda.allocatedQuietly(cudaDevices);
        RuntimeException first = Tensor.freeAll(items, size);
        size = 0;
        items = null;
        if (before != null) {
            long[] after = NativeCuda.allocatedQuietly(cudaDevices);
            if (after != null) {
                long freed = 0;
                for (int d = 0; d < before.length; d++) {
                    freed += Math.max(0, before[d] - after[d]);
                }
                freedDeviceBytes = freed;
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
