package dev.jtorch.tensor;

import java.util.Arrays;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * An explicit owner of long-lived tensors, next to the ambient {@link TensorScope}: what
 * {@code java.lang.foreign.Arena} is to memory segments. Modules, optimizers, data loaders and user
 * code that keeps tensors beyond one scope put them here and free them all with {@link #close()}.
 *
 * <pre>{@code
 * try (TensorOwner owner = TensorOwner.ofConfined()) {
 *     Tensor mask = owner.create(() -> Tensor.ones(28, 28).gt(0.5));   // no scope needed
 *     try (TensorScope s = TensorScope.open()) {
 *         Tensor mean = owner.adopt(batch.mean(0));                     // leaves the scope
 *     }
 *     ... // mask and mean stay valid until the owner closes
 * }
 * }</pre>
 *
 * <ul>
 *   <li>{@link #ofConfined()}: only the thread that made it may adopt into it or close it.
 *   <li>{@link #ofShared()}: any thread may adopt into it or close it (its methods synchronize).
 * </ul>
 *
 * <p>Closing frees every tensor the owner holds, newest first; it is idempotent. Adopting into a
 * closed owner throws {@link IllegalStateException}, and so does any use of a tensor it freed. A
 * tensor adopted with {@link #adopt} may still be {@link Tensor#close() closed} early; the owner
 * then skips it. Owned tensors are counted, like every tensor, by {@code Torch.liveHandles()}.
 */
public final class TensorOwner implements AutoCloseable {
    private final Thread thread; // null when shared
    private Tensor[] items = new Tensor[8];
    private int size;
    private boolean closed;

    private TensorOwner(Thread thread) {
        this.thread = thread;
    }

    /** An owner confined to the calling thread: using or closing it from another thread throws. */
    public static TensorOwner ofConfined() {
        return new TensorOwner(Thread.currentThread());
    }

    /** An owner any thread may adopt into and close; thread-safe. */
    public static TensorOwner ofShared() {
        return new TensorOwner(null);
    }

    /** Whether any thread may use this owner. */
    public boolean isShared() {
        return thread == null;
    }

    /**
     * Moves {@code t} into this owner: out of the scope that owns it (which must be one of this
     * thread's), or from the caller who owned it after a {@link TensorScope#keep}. The owner then
     * frees it on {@link #close()}. Adopting a tensor this owner already holds returns it unchanged.
     *
     * @return {@code t}, for chaining
     * @throws IllegalStateException if this owner is closed or confined to another thread, if
     *     {@code t} is closed, belongs to another owner, a module, or a scope of another thread
     */
    public Tensor adopt(Tensor t) {
        Objects.requireNonNull(t, "tensor");
        if (thread == null) {
            synchronized (this) {
                return adoptChecked(t);
            }
        }
        return adoptChecked(t);
    }

    /** {@link #adopt(Tensor)} for each tensor, in order. */
    public void adopt(Tensor... ts) {
        for (Tensor t : ts) {
            adopt(t);
        }
    }

    private Tensor adoptChecked(Tensor t) {
        checkOpen("adopt");
        if (t.isClosed()) {
            throw new IllegalStateException("cannot adopt a closed tensor");
        }
        TensorOwner other = t.keeper;
        if (other == this) {
            return t;
        }
        if (other != null) {
            throw new IllegalStateException("tensor already belongs to another TensorOwner");
        }
        if (t.isModuleOwned()) {
            throw new IllegalStateException("tensor belongs to a module; it cannot change owner");
        }
        TensorScope s = t.owner;
        if (s != null) {
            s.release(t); // throws if the scope belongs to another thread
            t.owner = null;
        }
        add(t);
        return t;
    }

    /**
     * Runs {@code factory} in a fresh {@link TensorScope} on this thread and adopts the tensor it
     * returns; every other tensor it made dies with that scope. Works with or without a scope open
     * on this thread, so long-lived tensors can be made in constructors:
     * {@code owner.create(() -> Tensor.randn(3, 4).mul(0.01))}.
     *
     * @return the adopted tensor
     * @throws IllegalStateException if this owner is closed or confined to another thread
     * @throws NullPointerException if {@code factory} returns null
     */
    public Tensor create(Supplier<Tensor> factory) {
        checkOpen("create");
        try (TensorScope s = TensorScope.open()) {
            Tensor t = Objects.requireNonNull(factory.get(), "factory returned null");
            return adopt(t); // out of s (or whichever of this thread's scopes made it); s frees the rest
        }
    }

    /** Adds a tensor made for this owner (module parameters); closes it and throws if this owner is closed. */
    void addNew(Tensor t) {
        if (thread == null) {
            synchronized (this) {
                addNewChecked(t);
            }
        } else {
            addNewChecked(t);
        }
    }

    private void addNewChecked(Tensor t) {
        try {
            checkOpen("adopt");
        } catch (IllegalStateException e) {
            t.free();
            throw e;
        }
        add(t);
    }

    private void add(Tensor t) {
        if (size == items.length) {
            compact();
            if (size * 2 > items.length) {
                items = Arrays.copyOf(items, items.length * 2);
            }
        }
        items[size++] = t;
        t.keeper = this;
    }

    /** Drops tensors closed early, keeping the order. */
    private void compact() {
        int n = 0;
        for (int i = 0; i < size; i++) {
            Tensor t = items[i];
            if (!t.isClosed()) {
                items[n++] = t;
            }
        }
        Arrays.fill(items, n, size, null);
        size = n;
    }

    /** Number of open tensors this owner holds. */
    public int size() {
        if (thread == null) {
            synchronized (this) {
                return countOpen();
            }
        }
        checkThread("size");
        return countOpen();
    }

    private int countOpen() {
        int n = 0;
        for (int i = 0; i < size; i++) {
            if (!items[i].isClosed()) {
                n++;
            }
        }
        return n;
    }

    /** Whether {@link #close()} was called. */
    public boolean isClosed() {
        if (thread == null) {
            synchronized (this) {
                return closed;
            }
        }
        return closed;
    }

    private void checkThread(String what) {
        if (thread != null && Thread.currentThread() != thread) {
            throw new IllegalStateException("TensorOwner." + what + " on thread " + Thread.currentThread().getName()
                    + ", but the owner is confined to thread " + thread.getName());
        }
    }

    private void checkOpen(String what) {
        checkThread(what);
        if (closed) {
            throw new IllegalStateException("TensorOwner." + what + " after the owner was closed");
        }
    }

    /**
     * Frees every tensor this owner holds, newest first; idempotent.
     *
     * @throws IllegalStateException if this owner is confined to another thread
     */
    @Override
    public void close() {
        if (thread == null) {
            synchronized (this) {
                free();
            }
        } else {
            checkThread("close");
            free();
        }
    }

    private void free() {
        if (closed) {
            return;
        }
        closed = true;
        RuntimeException first = Tensor.freeAll(items, size);
        size = 0;
        items = null;
        if (first != null) {
            throw first;
        }
    }

    @Override
    public String toString() {
        return "TensorOwner(" + (thread == null ? "shared" : "confined to " + thread.getName())
                + (closed ? ", closed" : "") + ")";
    }
}
