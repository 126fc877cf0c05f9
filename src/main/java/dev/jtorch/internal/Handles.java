package dev.jtorch.internal;

import java.lang.ref.Cleaner;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts live native handles and, when enabled, remembers where each one was made.
 *
 * <p>The counter is what tests use to prove that nothing leaks. Leak tracking
 * ({@code -Djtorch.leakTracking=true} or {@link #setLeakTracking}) records a creation stack per
 * handle and reports, through {@code System.Logger}, any handle whose Java owner was collected
 * without being closed. It only reports: freeing stays deterministic.
 */
public final class Handles {
    private static final AtomicLong LIVE = new AtomicLong();
    private static final Cleaner CLEANER = Cleaner.create();
    private static final Map<Long, Track> TRACKED = new ConcurrentHashMap<>();
    private static final AtomicLong IDS = new AtomicLong();
    private static final System.Logger LOG = System.getLogger("dev.jtorch.leaks");
    private static volatile boolean tracking = dev.jtorch.Property.LEAK_TRACKING.isTrue();

    private Handles() {}

    /** Native handles currently alive: tensors, modules, optimizers, guards. */
    public static long live() {
        return LIVE.get();
    }

    static void opened() {
        LIVE.incrementAndGet();
    }

    static void closed() {
        LIVE.decrementAndGet();
    }

    /** Turns creation-stack recording on or off for handles made from now on. */
    public static void setLeakTracking(boolean on) {
        tracking = on;
    }

    /** Whether creation stacks are being recorded. */
    public static boolean leakTracking() {
        return tracking;
    }

    /** Creation sites of the tracked handles that are still open. */
    public static List<String> liveReport() {
        List<String> out = new ArrayList<>();
        for (Track t : TRACKED.values()) {
            out.add(t.describe());
        }
        return out;
    }

    /**
     * Starts tracking {@code owner}; the returned token must be {@link Token#release() released}
     * when the handle is closed.
     */
    static Token track(Object owner, String what) {
        if (!tracking) {
            return null;
        }
        long id = IDS.incrementAndGet();
        Track t = new Track(id, what, new Throwable("created here"));
        TRACKED.put(id, t);
        Token token = new Token(t);
        token.cleanable = CLEANER.register(owner, t);
        return token;
    }

    /** A tracked handle's registration. */
    static final class Token {
        private final Track track;
        private Cleaner.Cleanable cleanable;

        Token(Track track) {
            this.track = track;
        }

        void release() {
            track.released = true;
            TRACKED.remove(track.id);
            cleanable.clean();
        }
    }

    private static final class Track implements Runnable {
        final long id;
        final String what;
        final Throwable site;
        volatile boolean released;

        Track(long id, String what, Throwable site) {
            this.id = id;
            this.what = what;
            this.site = site;
        }

        String describe() {
            StringBuilder sb = new StringBuilder(what).append(" created at");
            for (StackTraceElement e : site.getStackTrace()) {
                if (!e.getClassName().startsWith("dev.jtorch.internal")) {
                    sb.append("\n\tat ").append(e);
                }
            }
            return sb.toString();
        }

        @Override
        public void run() {
            if (!released) {
                TRACKED.remove(id);
                LOG.log(System.Logger.Level.WARNING, "jtorch leak: unclosed " + describe());
            }
        }
    }
}
