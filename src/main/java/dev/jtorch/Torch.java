package dev.jtorch;

import dev.jtorch.internal.Handles;
import dev.jtorch.internal.NativeRuntime;
import java.util.List;

/**
 * Process-wide libtorch settings: seeding, threads, versions and handle accounting.
 *
 * <p>The first call to anything in jtorch loads libtorch (see docs/design.md, "Loading, threads and JavaCPP settings");
 * {@link #init()} does it eagerly, e.g. at service start-up.
 */
public final class Torch {
    private Torch() {}

    /**
     * Loads libtorch now instead of on first use.
     *
     * @throws IllegalStateException if JavaCPP was already loaded with per-pointer GC tracking, or a
     *     second libtorch is in the process
     */
    public static void init() {
        NativeRuntime.ensureLoaded();
    }

    /** Seeds libtorch's default CPU and CUDA generators ({@code torch.manual_seed}). */
    public static void manualSeed(long seed) {
        NativeRuntime.manualSeed(seed);
    }

    /**
     * {@code torch.get_rng_state()}: the default CPU generator's whole state, for
     * {@link #setRngState(byte[])} (the bytes of PyTorch's state tensor).
     */
    public static byte[] rngState() {
        return dev.jtorch.internal.NativeGenerator.defaultCpuState();
    }

    /**
     * {@code torch.set_rng_state(state)}: continues the default CPU generator from a state
     * {@link #rngState()} returned.
     *
     * @throws TorchException if {@code state} is not a CPU generator's state
     */
    public static void setRngState(byte[] state) {
        dev.jtorch.internal.NativeGenerator.setDefaultCpuState(java.util.Objects.requireNonNull(state, "state"));
    }

    /**
     * Sets the intra-op thread count of libtorch's pool; OpenBLAS stays single-threaded so the two
     * never compete for cores.
     *
     * @throws IllegalArgumentException if {@code n < 1}
     */
    public static void setNumThreads(int n) {
        NativeRuntime.setNumThreads(n);
    }

    /** libtorch's intra-op thread count (initially the cores this process may use). */
    public static int numThreads() {
        return NativeRuntime.numThreads();
    }

    /**
     * Sets OpenBLAS's own thread count, which parallelises the float32 matrix products.
     *
     * <p>{@link #setNumThreads} resets it to 1. Give OpenBLAS more than one thread only with
     * libtorch's intra-op count at 1: two thread pools spinning on the same cores make training
     * collapse. The trainer chooses its threads itself ({@code train.ThreadPlan}; docs/design.md).
     *
     * @throws IllegalArgumentException if {@code n < 1}
     */
    public static void setBlasThreads(int n) {
        NativeRuntime.setBlasThreads(n);
    }

    /** OpenBLAS's own thread count; 1 unless {@link #setBlasThreads} raised it. */
    public static int blasThreads() {
        return NativeRuntime.blasThreads();
    }

    /**
     * The OpenBLAS kernel in use and why, e.g. {@code Cooperlake (OPENBLAS_CORETYPE=Cooperlake (chosen by jtorch ...))}.
     *
     * <p>jtorch forces OpenBLAS's AVX-512 kernels on AMD CPUs that OpenBLAS 0.3.31 does not recognise;
     * {@code -Djtorch.blasCore=off|NAME} or {@code OPENBLAS_CORETYPE} override it (docs/design.md).
     */
    public static String blasCore() {
        return NativeRuntime.blasCore();
    }

    /**
     * How glibc's malloc serves tensor buffers in this process, e.g. {@code mmap threshold 32 MiB,
     * trim threshold 1 GiB; one arena, no mmap (GLIBC_TUNABLES)}.
     *
     * <p>Fixed thresholds stop glibc from returning and re-faulting tensor-sized blocks every step;
     * the arena part can only be chosen when the JVM starts, through {@code GLIBC_TUNABLES}
     * ({@code native/malloc.env}, which {@code scripts/jtorch} applies; docs/design.md).
     * {@code -Djtorch.mallocTuning=false} keeps glibc's thresholds.
     */
    public static String mallocTuning() {
        return NativeRuntime.loadReport().mallocTuning();
    }

    /**
     * libtorch's OpenMP wait policy and who chose it, e.g. {@code OMP_WAIT_POLICY=PASSIVE (jtorch)}:
     * idle pool threads sleep instead of spinning, which keeps 2 threads from being slower than 1
     * on a machine shared with other processes ({@code -Djtorch.ompWait=active|env}; docs/design.md).
     */
    public static String ompWait() {
        return NativeRuntime.loadReport().ompWait();
    }

    /**
     * oneDNN's explicit convolution forwards, inference and training ({@code -Djtorch.onednnInference},
     * {@code -Djtorch.onednnTraining}): {@code on (N convolutions so far, M shapes refused)} or
     * {@code off}; docs/design.md, "oneDNN convolutions".
     */
    public static String oneDnnInference() {
        return dev.jtorch.internal.OneDnn.enabled()
                ? "on (" + dev.jtorch.internal.OneDnn.used() + " convolutions so far, " + dev.jtorch.internal.OneDnn.rejected()
                        + " shapes refused)"
                : "off";
    }

    /** The libtorch version, e.g. {@code 2.10.0}. */
    public static String libtorchVersion() {
        String v = NativeRuntime.loadReport().presetsVersion();
        int dash = v.indexOf('-');
        return dash > 0 ? v.substring(0, dash) : v;
    }

    /** The JavaCPP presets version, e.g. {@code 2.10.0-1.5.13}. */
    public static String presetsVersion() {
        return NativeRuntime.loadReport().presetsVersion();
    }

    /**
     * The natives in use: JavaCPP's folder, e.g. {@code linux-x86_64} or {@code linux-x86_64-gpu}, and
     * on a CUDA build that runs on its CPU natives, why ({@code jtorch doctor} says more).
     */
    public static String natives() {
        NativeRuntime.ensureLoaded();
        String why = NativeRuntime.cudaUnusable();
        return NativeRuntime.nativesFolder() + (why == null ? "" : " (CPU fallback: " + why + ")");
    }

    /** jtorch's own version. */
    public static String version() {
        String v = Torch.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    /** Whether JavaCPP's per-pointer GC tracking is on (only if accepted with {@code -Djtorch.pointerGc=true}). */
    public static boolean pointerGc() {
        return NativeRuntime.loadReport().pointerGc();
    }

    /** Number of native handles alive now (tensors, modules, optimizers, guards). */
    public static long liveHandles() {
        return Handles.live();
    }

    /**
     * Records the creation stack of every tensor made from now on, and logs a warning with that
     * stack for each one collected unclosed ({@code -Djtorch.leakTracking=true} at start-up).
     */
    public static void setLeakTracking(boolean on) {
        Handles.setLeakTracking(on);
    }

    /** Creation sites of the tracked tensors that are still open. */
    public static List<String> leakReport() {
        return Handles.liveReport();
    }
}
