package dev.jtorch;

import java.util.Locale;

/**
 * Every {@code -Djtorch.*} system property, in one place: its name, what it does and its
 * default. jtorch reads each where it acts (most once, when the natives load), always through
 * this enum, so this list is complete; {@code jtorch info} shows the effect of the loading ones.
 */
public enum Property {
    /** Intra-op threads of libtorch's pool at load (a positive integer); default: the cores this process may use. */
    THREADS(null),
    /** {@code INTRA,BLAS[,SPLIT]}: replaces the trainer's and the server's thread plan ({@code train.ThreadPlan}). */
    THREAD_PLAN(null),
    /**
     * The OpenBLAS kernel: {@code auto} (an AVX-512 kernel where the environment pins an older one on
     * an AVX-512 CPU), {@code env} (the environment's choice), or a kernel name such as {@code SkylakeX}.
     */
    BLAS_CORE("auto"),
    /** {@code false} keeps glibc's malloc thresholds (jtorch raises them at load for tensor-sized blocks). */
    MALLOC_TUNING("true"),
    /** {@code true} accepts JavaCPP's per-pointer GC tracking when something else loaded JavaCPP with it on. */
    POINTER_GC("false"),
    /** {@code true} turns libtorch's global oneDNN switch on (wrong convolutions in this build: docs/design.md). */
    MKLDNN("false"),
    /** {@code false} keeps inference convolutions and TorchScript copies off oneDNN's checked explicit path. */
    ONEDNN_INFERENCE("true"),
    /**
     * {@code false} keeps training convolutions (gradient recorded) off oneDNN's checked forward; their
     * backward is libtorch's own kernel either way.
     */
    ONEDNN_TRAINING("true"),
    /** {@code true} turns libtorch's NNPACK on (off: it is slower than the native kernels here). */
    NNPACK("false"),
    /**
     * OpenMP's wait policy in jtorch's process: {@code passive}, {@code active}, {@code env} (the
     * environment's) or a number of spin iterations before an idle thread sleeps ({@code GOMP_SPINCOUNT}).
     */
    OMP_WAIT("passive"),
    /** CUDA natives: {@code auto} (use them when every library they need is found), {@code require} or {@code off}. */
    CUDA("auto"),
    /** {@code false} trains dense ReLU chains through autograd instead of the hand-written step. */
    DENSE_STEP("true"),
    /** {@code false} updates SGD's parameters with libtorch's per-parameter ops instead of one fused call. */
    FUSED_SGD("true"),
    /** {@code true} logs tensors the garbage collector found unclosed (it only reports). */
    LEAK_TRACKING("false");

    private final String defaultValue;

    Property(String defaultValue) {
        this.defaultValue = defaultValue;
    }

    /**
     * The property's name, e.g. {@code jtorch.threads}: {@code jtorch.} and the constant's name in
     * camel case ({@code THREAD_PLAN} is {@code jtorch.threadPlan}), so the two cannot drift apart.
     */
    public String key() {
        String[] words = name().toLowerCase(Locale.ROOT).split("_");
        StringBuilder key = new StringBuilder("jtorch.").append(words[0]);
        for (int i = 1; i < words.length; i++) {
            key.append(Character.toUpperCase(words[i].charAt(0))).append(words[i], 1, words[i].length());
        }
        return key.toString();
    }

    /** The value used when the property is not set, or null where the default is computed. */
    public String defaultValue() {
        return defaultValue;
    }

    /** The value set on the command line, trimmed, or null if none was. */
    public String raw() {
        String v = System.getProperty(key());
        return v == null ? null : v.trim();
    }

    /** The value set, or the default. */
    public String value() {
        String v = raw();
        return v != null ? v : defaultValue;
    }

    /** Whether the value, set or default, is {@code true} (case-insensitive). */
    public boolean isTrue() {
        return "true".equalsIgnoreCase(value());
    }
}
