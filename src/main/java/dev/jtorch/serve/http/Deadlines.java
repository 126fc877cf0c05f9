package dev.jtorch.serve.http;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Deadlines on blocking socket I/O of the JDK's HTTP server, enforced by interrupting the thread.
 *
 * <p>Why interrupts: {@code com.sun.net.httpserver} reads and writes through blocking
 * {@link java.nio.channels.SocketChannel}s, which ignore {@code SO_TIMEOUT}, and an
 * {@link com.sun.net.httpserver.HttpExchange} gives no access to its socket. A socket channel is
 * an {@link java.nio.channels.InterruptibleChannel}, though: interrupting a thread blocked on it
 * (or about to block on it) closes the channel and ends the call with
 * {@link java.nio.channels.ClosedByInterruptException}. So a thread {@link #arm}s a deadline before
 * a phase of socket I/O and {@link #disarm}s it after; a sweeper thread interrupts threads still
 * armed past their deadline. Disarming and the sweeper's check share a lock per entry, so no
 * interrupt arrives after {@link #disarm} returns, and {@link #disarm} clears one that arrived
 * before, so pooled threads are never left interrupted.
 *
 * <p>Only code that does socket I/O or plain computation may run armed: an interrupt would also
 * end an unrelated wait (a predictor's future, a lock).
 */
final class Deadlines implements AutoCloseable {
    /** How often expired deadlines are looked for; a deadline fires at most this late. */
    static final long SWEEP_MILLIS = 50;

    private static final class Armed {
        final Thread thread;
        final long deadline;
        boolean done;
        boolean fired;

        Armed(Thread thread, long deadline) {
            this.thread = thread;
            this.deadline = deadline;
        }
    }

    private final Map<Thread, Armed> armed = new ConcurrentHashMap<>();
    private final ScheduledExecutorService sweeper;

    Deadlines(String name) {
        sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
        sweeper.scheduleWithFixedDelay(this::sweep, SWEEP_MILLIS, SWEEP_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** Arms a deadline {@code after} from now for the current thread, replacing one it had. */
    void arm(Duration after) {
        Thread t = Thread.currentThread();
        Armed old = armed.put(t, new Armed(t, System.nanoTime() + after.toNanos()));
        if (old != null) {
            synchronized (old) {
                old.done = true;
            }
        }
    }

    /**
     * Disarms the current thread's deadline.
     *
     * @return true if it had fired: the thread was interrupted, and a socket it was blocked on (or
     *     touched since) is closed; the interrupt status is cleared
     */
    boolean disarm() {
        Armed a = armed.remove(Thread.currentThread());
        if (a == null) {
            return false;
        }
        boolean fired;
        synchronized (a) {
            a.done = true;
            fired = a.fired;
        }
        if (fired) {
            Thread.interrupted();
        }
        return fired;
    }

    /** Threads armed now (for tests). */
    int armedCount() {
        return armed.size();
    }

    private void sweep() {
        long now = System.nanoTime();
        for (Armed a : armed.values()) {
            if (now - a.deadline >= 0) {
                synchronized (a) {
                    if (!a.done && !a.fired) {
                        a.fired = true;
                        a.thread.interrupt();
                    }
                }
            }
        }
    }

    @Override
    public void close() {
        sweeper.shutdownNow();
    }
}
