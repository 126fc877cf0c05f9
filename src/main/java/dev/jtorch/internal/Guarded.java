package dev.jtorch.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A native object that one thread may close while others use it.
 *
 * <p>One {@code long} holds both the number of uses in flight and, in its sign bit, whether
 * {@link #closeGuarded()} was called. {@link #enter()} counts a use unless the object is closed
 * ({@link IllegalStateException}); {@link #exit()} uncounts it. The native object is freed
 * ({@link #free()}) exactly once: by {@code closeGuarded} when no use is in flight, otherwise by
 * the last {@code exit}. So native code never runs on freed memory, whatever the interleaving, and
 * the uncontended cost is two atomic instructions per use, no lock.
 */
public abstract class Guarded {
    private static final long CLOSED = Long.MIN_VALUE;
    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(Guarded.class, "state", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @SuppressWarnings("unused") // accessed through STATE
    private volatile long state;

    /** Counts one use; every successful call must be paired with {@link #exit()}. */
    protected final void enter() {
        long s = state;
        while (true) {
            if (s < 0) {
                throw usedAfterClose();
            }
            long witness = (long) STATE.compareAndExchange(this, s, s + 1);
            if (witness == s) {
                return;
            }
            s = witness;
        }
    }

    /** Ends one use; frees the native object if a close is pending and this was the last use. */
    protected final void exit() {
        if ((long) STATE.getAndAdd(this, -1L) == (CLOSED | 1L)) {
            free();
        }
    }

    /** Marks closed; frees now if nothing uses the object, else leaves that to the last user. Idempotent. */
    protected final void closeGuarded() {
        if ((long) STATE.getAndBitwiseOr(this, CLOSED) == 0L) {
            free();
        }
    }

    /**
     * Frees the native object once no use is in flight (at once if none is, else when the last
     * ends); idempotent.
     */
    public void close() {
        closeGuarded();
    }

    /** True once closed (the native object may still be in use by a call already under way). */
    public final boolean isClosed() {
        return state < 0;
    }

    /** Frees the native object; called exactly once. */
    protected abstract void free();

    /** The exception for a use after close, naming what was closed. */
    protected abstract IllegalStateException usedAfterClose();
}
