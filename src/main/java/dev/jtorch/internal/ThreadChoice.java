package dev.jtorch.internal;

import java.util.function.Supplier;

/**
 * Which of two ways one kind of inference call runs: on the intra-op threads, or on the calling
 * thread alone, kept up to date from the calls themselves.
 *
 * <p>Why: the OpenMP threads wait passively between parallel regions (docs/design.md, "OpenMP
 * threads wait passively"), so a forward made of many small ops can take longer on two threads
 * than on one (an eager ResNet-18 at 2x3x64x64: 8.9-14 ms against 7.9 ms on this machine). Each way
 * keeps a smoothed time; a call takes the faster way (the threads only when at least 10% faster)
 * except every {@link #EXPLORE_EVERY}-th, which runs the other way and so keeps its time current. A
 * choice made once from a few forwards at first sight stuck with whatever the machine did in those
 * milliseconds for the life of the process; a call on the slower way costs at most its difference
 * once in 32 calls. Only the calling thread's OpenMP count changes ({@link OmpThreads}), never the
 * process's.
 */
public final class ThreadChoice {
    static final int EXPLORE_EVERY = 32;
    private static final double ALPHA = 0.2;
    /** The intra-op threads are used only when they take at most this fraction of one thread's time. */
    private static final double MANY_THREADS_MARGIN = 0.9;
    private static final int MANY = 0, ONE = 1;
    private final Boolean forced;
    /** Smoothed nanoseconds of a call, by way ({@code MANY}, {@code ONE}); NaN until the way was timed. */
    private final double[] time;
    private long calls;

    /** A choice seeded with measured times of the two ways; {@code forced} (may be null) fixes the way for tests. */
    ThreadChoice(long many, long one, Boolean forced) {
        time = new double[] {many, one};
        this.forced = forced;
    }

    /** A choice with nothing measured yet: its first call runs on the threads, its second on one thread. */
    ThreadChoice() {
        time = new double[] {Double.NaN, Double.NaN};
        forced = null;
    }

    /**
     * A fresh choice for one kind of call, or null where there is nothing to choose: one intra-op
     * thread, or an OpenMP runtime whose per-thread count cannot be set.
     */
    public static ThreadChoice unseeded() {
        return possible() ? new ThreadChoice() : null;
    }

    /**
     * Whether the calling thread has a choice: more than one intra-op thread, and an OpenMP runtime
     * whose per-thread count can be set.
     */
    static boolean possible() {
        // the thread count first: OmpThreads loads JNA, which a single-threaded process never needs
        return NativeRuntime.numThreads() > 1 && OmpThreads.available() && OmpThreads.current() > 1;
    }

    /**
     * Runs {@code call} the way {@code choice} picks and records its time; with a null choice, as
     * it is.
     */
    public static <T> T call(ThreadChoice choice, Supplier<T> call) {
        if (choice == null) {
            return call.get();
        }
        boolean oneThread = choice.next();
        long t0 = System.nanoTime();
        T out;
        if (oneThread) {
            int threads = OmpThreads.set(1);
            try {
                out = call.get();
            } finally {
                OmpThreads.set(threads);
            }
        } else {
            out = call.get();
        }
        choice.record(oneThread, System.nanoTime() - t0);
        return out;
    }

    /** Whether the calling thread alone is the way calls take now. */
    synchronized boolean preferOne() {
        if (forced != null) {
            return forced;
        }
        return !Double.isNaN(time[MANY]) && !Double.isNaN(time[ONE]) && time[MANY] > time[ONE] * MANY_THREADS_MARGIN;
    }

    /** The way the next call runs: true for the calling thread alone. */
    synchronized boolean next() {
        if (forced == null && (Double.isNaN(time[MANY]) || Double.isNaN(time[ONE]))) {
            return !Double.isNaN(time[MANY]); // the threads first, then one thread
        }
        boolean prefer = preferOne();
        return forced == null && ++calls % EXPLORE_EVERY == 0 ? !prefer : prefer;
    }

    synchronized void record(boolean oneThread, long nanos) {
        int way = oneThread ? ONE : MANY;
        time[way] = Double.isNaN(time[way]) ? nanos : time[way] + ALPHA * (nanos - time[way]);
    }
}
