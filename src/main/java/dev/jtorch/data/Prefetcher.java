package dev.jtorch.data;

import java.lang.ref.Cleaner;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The prefetch thread of one pass: a daemon thread that assembles the pass's next batches as Java
 * arrays into a bounded queue, for the consuming thread to turn into tensors. It references its
 * source, never the iterator that consumes it, so an abandoned iterator can be collected and its
 * Cleaner can cancel this.
 */
final class Prefetcher implements Runnable {
    /** {@link DataLoader}'s logger: the prefetch threads are part of what it reports. */
    private static final Logger LOG = LoggerFactory.getLogger(DataLoader.class);
    private static final Cleaner CLEANER = Cleaner.create(r -> {
        Thread t = new Thread(r, "jtorch-data-cleaner");
        t.setDaemon(true);
        return t;
    });
    private static final AtomicInteger THREADS = new AtomicInteger();
    /** How long a close waits for a prefetch thread to notice it was cancelled. */
    static final long JOIN_MILLIS = 10_000;

    /** Batch {@code b} of a pass, in Java arrays; {@code reuse} is a spent pixel array, or null. */
    @FunctionalInterface
    interface Source {
        /** Assembles batch {@code b}, filling {@code reuse} when it has the right length. */
        HostBatch batch(int b, float[] reuse);
    }

    private final Source source;
    private final int total;
    private final String who;
    private final Set<Prefetcher> registry;
    private final BlockingQueue<Object> queue;
    private final BlockingQueue<float[]> spare;
    private final Thread thread;
    private final Cleaner.Cleanable cleanable;
    private volatile boolean cancelled;

    private Prefetcher(Object owner, Source source, int total, int prefetch, Set<Prefetcher> registry, String who,
                       String name) {
        this.source = source;
        this.total = total;
        this.who = who;
        this.registry = registry;
        this.queue = new ArrayBlockingQueue<>(prefetch);
        this.spare = new ArrayBlockingQueue<>(prefetch + 1);
        this.thread = new Thread(this, "jtorch-prefetch-" + name + "-" + THREADS.incrementAndGet());
        this.thread.setDaemon(true); // never keeps the JVM alive
        registry.add(this);
        // The cleaning action holds this prefetcher only, never the owner.
        this.cleanable = CLEANER.register(owner, this::cancel);
    }

    /**
     * Starts the thread that assembles batches {@code 0 .. total-1} of {@code source}, at most
     * {@code prefetch} ahead; it is cancelled when {@code owner} becomes unreachable.
     *
     * @param registry the running prefetchers of the loader: this one stays in it until its thread ends
     * @param who the loader, as its messages name it
     * @param name the pass, for the thread's name
     */
    static Prefetcher start(Object owner, Source source, int total, int prefetch, Set<Prefetcher> registry, String who,
                            String name) {
        Prefetcher p = new Prefetcher(owner, source, total, prefetch, registry, who, name);
        p.thread.start();
        return p;
    }

    @Override
    public void run() {
        int b = 0;
        try {
            for (; b < total && !cancelled; b++) {
                queue.put(source.batch(b, spare.poll()));
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

    /**
     * The next batch, waiting for it.
     *
     * @throws IllegalStateException if interrupted, or the thread failed with a checked exception
     * @throws RuntimeException whatever the thread failed with
     */
    HostBatch take() {
        Object o;
        try {
            o = queue.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(who + ": interrupted while waiting for the next batch", e);
        }
        if (o instanceof Failure f) {
            if (f.error() instanceof RuntimeException r) {
                throw r;
            }
            if (f.error() instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(who + ": the prefetch thread failed at batch " + f.batch() + ": "
                    + f.error(), f.error());
        }
        return (HostBatch) o;
    }

    /** Hands a consumed batch's pixel array back for a later batch to fill. */
    void recycle(float[] pixels) {
        spare.offer(pixels); // full: let the GC have it
    }

    /** Asks the thread to stop; it ends at its next wait or batch. */
    void cancel() {
        cancelled = true;
        thread.interrupt();
    }

    /** Cancels the thread (once) and waits for it to end. */
    void close() {
        cleanable.clean(); // runs cancel() once
        join();
    }

    /** Waits up to {@link #JOIN_MILLIS} for the thread to end, and warns if it does not. */
    void join() {
        if (Thread.currentThread() == thread) {
            return;
        }
        try {
            thread.join(JOIN_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            LOG.warn("prefetch thread {} did not stop within {} ms", thread.getName(), JOIN_MILLIS);
        }
    }

    /** The thread failed: rethrown by the consumer. */
    private record Failure(Throwable error, int batch) {}
}
