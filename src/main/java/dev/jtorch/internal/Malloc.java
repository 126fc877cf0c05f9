package dev.jtorch.internal;

/**
 * Keeps glibc from handing tensor-sized buffers back to the kernel after every step.
 *
 * <p>libtorch's CPU allocator is glibc {@code malloc}. With glibc's defaults, a freed block at the
 * top of the heap is returned to the kernel as soon as more than the (dynamic) trim threshold is
 * free, and the next step's allocation of the same size faults its pages in again: hundreds of
 * minor page faults per MNIST CNN training step, far fewer with the thresholds fixed, and a
 * faster training loop (docs/design.md, docs/benchmarks.md). jtorch therefore sets, once
 * at load, {@code M_MMAP_THRESHOLD} to 32 MiB (glibc's maximum; larger blocks are still mapped and
 * unmapped on their own) and {@code M_TRIM_THRESHOLD} to 1 GiB. The price: after a peak, up to
 * that much freed memory stays in the process for reuse instead of going back to the system.
 * {@code -Djtorch.mallocTuning=false} keeps glibc's defaults.
 *
 * <p>Two settings cannot be made from inside the JVM: java runs {@code main} on a thread of its
 * own, which glibc binds to a per-thread arena before any library loads, and such an arena maps
 * every block over 32 MiB afresh and drops whole heaps when they empty. {@code scripts/jtorch}
 * therefore starts java with {@code GLIBC_TUNABLES} from {@code native/malloc.env} (one arena, no
 * mmap); this class only reports whether they are in effect. The launcher's variable also carries
 * the two thresholds ({@code glibc.malloc.mmap_threshold}, {@code glibc.malloc.trim_threshold}:
 * glibc applies them exactly as {@code mallopt} does); when they are already in effect this class
 * does not call {@code mallopt}, which keeps JNA out of the JVM's start-up (docs/design.md,
 * "Start-up").
 */
final class Malloc {
    /** System property that turns the tuning off. */
    static final String PROPERTY = dev.jtorch.Property.MALLOC_TUNING.key();
    private static final int M_TRIM_THRESHOLD = -1;
    private static final int M_MMAP_THRESHOLD = -3;
    private static final int MMAP_THRESHOLD = 32 << 20;
    private static final int TRIM_THRESHOLD = 1 << 30;

    /** What was done at load, for {@code jtorch info}. */
    static String decision = "glibc defaults";

    private Malloc() {}

    /** Applies the thresholds unless turned off; never fails the load. */
    static void configure() {
        String tunables = System.getenv("GLIBC_TUNABLES");
        String arenas = arenas(tunables);
        boolean fromTunables = thresholdsSet(tunables);
        if (!dev.jtorch.Property.MALLOC_TUNING.isTrue()) {
            decision = fromTunables
                    ? "mmap threshold 32 MiB, trim threshold 1 GiB from GLIBC_TUNABLES (-D" + PROPERTY
                            + "=false cannot undo them: set GLIBC_TUNABLES yourself); " + arenas
                    : "glibc defaults (-D" + PROPERTY + "=false); " + arenas;
            return;
        }
        if (fromTunables) {
            decision = "mmap threshold 32 MiB, trim threshold 1 GiB; " + arenas;
            return;
        }
        if (!System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("linux")) {
            return;
        }
        try {
            LibC c = LibC.instance();
            boolean ok = c.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD) == 1 && c.mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD) == 1;
            decision = (ok ? "mmap threshold 32 MiB, trim threshold 1 GiB" : "glibc defaults (mallopt refused)")
                    + "; " + arenas;
        } catch (UnsatisfiedLinkError | RuntimeException e) {
            decision = "glibc defaults (" + e.getMessage() + "); " + arenas;
        }
    }

    /** What {@code GLIBC_TUNABLES} (null when unset) says about arenas and mmap, for {@code jtorch info}. */
    /** Whether {@code GLIBC_TUNABLES} sets exactly the thresholds {@link #configure()} would set. */
    static boolean thresholdsSet(String tunables) {
        java.util.Map<String, String> t = parse(tunables);
        return String.valueOf(MMAP_THRESHOLD).equals(t.get("glibc.malloc.mmap_threshold"))
                && String.valueOf(TRIM_THRESHOLD).equals(t.get("glibc.malloc.trim_threshold"));
    }

    private static java.util.Map<String, String> parse(String tunables) {
        java.util.Map<String, String> t = new java.util.HashMap<>();
        for (String kv : tunables == null ? new String[0] : tunables.split(":")) {
            int eq = kv.indexOf('=');
            if (eq > 0) {
                t.put(kv.substring(0, eq).trim(), kv.substring(eq + 1).trim());
            }
        }
        return t;
    }

    static String arenas(String tunables) {
        java.util.Map<String, String> t = parse(tunables);
        if ("1".equals(t.get("glibc.malloc.arena_max")) && "0".equals(t.get("glibc.malloc.mmap_max"))) {
            return "one arena, no mmap (GLIBC_TUNABLES)";
        }
        return "per-thread arenas: tensors over 32 MiB are mapped afresh each time"
                + " (start java with GLIBC_TUNABLES from native/malloc.env, as scripts/jtorch does)";
    }
}
