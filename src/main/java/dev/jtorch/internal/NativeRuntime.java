package dev.jtorch.internal;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.TreeSet;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.pytorch.global.torch;

/**
 * Loads libtorch once per JVM, safely, and owns the process-wide native settings.
 *
 * <p>Three decisions live here (docs/design.md, "Loading, threads and JavaCPP settings"):
 * <ul>
 *   <li><b>Pointer GC off.</b> jtorch frees every native object through scopes and {@code close()},
 *       so JavaCPP's per-pointer GC tracking (a {@code PhantomReference} and a global lock per
 *       returned object, a measurable cost on every op) buys nothing. It is a JVM-wide switch read once by
 *       JavaCPP's {@code Pointer} class, so jtorch sets {@code org.bytedeco.javacpp.nopointergc=true}
 *       before any JavaCPP class loads, and refuses to start if an embedding application already
 *       loaded JavaCPP with tracking on, unless {@code -Djtorch.pointerGc=true} accepts it.</li>
 *   <li><b>Extract everything, then load.</b> JavaCPP extracts and loads one library at a time in
 *       link order ({@code c10, torch, torch_cpu}); when {@code libtorch.so} is loaded its
 *       {@code libtorch_cpu.so} is not yet in the cache, so the dynamic linker falls back to a
 *       system copy (Debian's python3-torch ships 1.13) and two libtorch versions crash the JVM.
 *       jtorch extracts every library of the presets it uses before the first load, and then checks
 *       the process maps for a foreign libtorch.</li>
 *   <li><b>The right BLAS kernel.</b> OpenBLAS does not recognise every AVX-512 CPU; jtorch picks
 *       its kernel before it loads ({@link Blas}).</li>
 *   <li><b>One thread pool.</b> OpenBLAS is kept single-threaded; libtorch's OpenMP pool does the
 *       parallel work, sized to the cores this process may use ({@code -Djtorch.threads=N}).</li>
 * </ul>
 */
public final class NativeRuntime {
    /** Property that accepts JavaCPP's per-pointer GC tracking when another library enabled it. */
    public static final String POINTER_GC_PROPERTY = "jtorch.pointerGc";
    /** Property that sets the initial intra-op thread count. */
    public static final String THREADS_PROPERTY = "jtorch.threads";
    /** Property that re-enables oneDNN (mkldnn) CPU convolutions; off by default, see {@code configureMkldnn}. */
    public static final String MKLDNN_PROPERTY = "jtorch.mkldnn";
    private static final String NOPOINTERGC = "org.bytedeco.javacpp.nopointergc";

    private static volatile boolean loaded;
    private static boolean pointerGc;
    private static String presetsVersion = "unknown";
    private static final List<String> extracted = new ArrayList<>();

    private NativeRuntime() {}

    /**
     * Loads the natives if this is the first call; cheap afterwards.
     *
     * @throws IllegalStateException if JavaCPP was loaded earlier with incompatible settings, or a
     *     second libtorch ended up in the process
     */
    public static void ensureLoaded() {
        if (!loaded) {
            load();
        }
    }

    private static synchronized void load() {
        if (loaded) {
            return;
        }
        configurePointerGc();
        Blas.configureBeforeLoad();
        Malloc.configure();
        extractAll();
        try {
            Loader.load(torch.class);
        } catch (UnsatisfiedLinkError e) {
            throw new IllegalStateException("jtorch: could not load libtorch from the JavaCPP presets ("
                    + e.getMessage() + "); is org.bytedeco:pytorch with the natives for "
                    + Loader.getPlatform() + " on the class path?", e);
        }
        checkSingleLibtorch();
        org.bytedeco.openblas.presets.openblas_nolapack.blas_set_num_threads(1);
        torch.set_num_threads(initialThreads());
        configureMkldnn();
        presetsVersion = readPresetsVersion();
        loaded = true;
    }

    /**
     * oneDNN (mkldnn) convolutions stay off unless {@code -Djtorch.mkldnn=true}: in the presets'
     * libtorch 2.10 on CPU, the float32 oneDNN convolution backward computes wrong input gradients
     * for small batched shapes (up to 100% off, sometimes NaN, varying from call to call; weight
     * gradients and forward are right) and was slower than libtorch's own kernels on the
     * MNIST CNN here (docs/benchmarks.md). With it off, convolutions use libtorch's native CPU kernels, which match
     * PyTorch (LayersGoldenTest).
     */
    private static void configureMkldnn() {
        torch.globalContext().setUserEnabledMkldnn(Boolean.getBoolean(MKLDNN_PROPERTY));
        // NNPACK: where its initialisation fails ("Unsupported hardware", as on this AVX-512 EPYC),
        // libtorch warns on stderr at every convolution that asks for it (thousands of lines per
        // epoch) and then falls back anyway; -Djtorch.nnpack=true asks for it again.
        torch.globalContext().setUserEnabledNNPACK(Boolean.getBoolean("jtorch.nnpack"));
    }

    private static void configurePointerGc() {
        boolean accept = Boolean.getBoolean(POINTER_GC_PROPERTY);
        String requested = System.getProperty(NOPOINTERGC);
        boolean javacppUp = deallocatorThreadRunning();
        if (accept) {
            pointerGc = javacppUp || requested == null || !isTrue(requested);
            return;
        }
        if (javacppUp || (requested != null && !isTrue(requested))) {
            throw new IllegalStateException("jtorch: JavaCPP is "
                    + (javacppUp ? "already loaded" : "configured (-D" + NOPOINTERGC + "=" + requested + ")")
                    + " with per-pointer GC tracking, which costs about 3.4 us per tensor op and buys"
                    + " nothing under jtorch's scopes. Start the JVM with -D" + NOPOINTERGC + "=true,"
                    + " or load jtorch before other JavaCPP libraries, or accept the slowdown with -D"
                    + POINTER_GC_PROPERTY + "=true.");
        }
        System.setProperty(NOPOINTERGC, "true");
        pointerGc = false;
    }

    private static boolean isTrue(String s) {
        String v = s.trim().toLowerCase(java.util.Locale.ROOT);
        return v.equals("true") || v.equals("t") || v.isEmpty();
    }

    /** JavaCPP starts this thread in Pointer's static initializer only when GC tracking is on. */
    private static boolean deallocatorThreadRunning() {
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if ("JavaCPP Deallocator".equals(t.getName())) {
                return true;
            }
        }
        return false;
    }

    /** A resource by absolute name in any jar (or module) the class loader sees; null if none. */
    static URL resource(String absoluteName) {
        ClassLoader l = NativeRuntime.class.getClassLoader();
        String n = absoluteName.substring(1);
        return l == null ? ClassLoader.getSystemResource(n) : l.getResource(n);
    }

    private static void extractAll() {
        String platform = Loader.getPlatform();
        for (String preset : new String[] {"javacpp", "openblas", "pytorch", "cuda"}) {
            for (String folder : new String[] {platform, platform + "-gpu"}) {
                String name = "/org/bytedeco/" + preset + "/" + folder + "/";
                // through the class loader: in a named module Class.getResource looks only inside
                // jtorch's own module, and the natives live in the presets' platform jars
                if (resource(name) == null) {
                    continue;
                }
                try {
                    for (File f : Loader.cacheResources(NativeRuntime.class, name)) {
                        extracted.add(f.getPath());
                    }
                } catch (IOException e) {
                    throw new IllegalStateException("jtorch: could not extract the native libraries in "
                            + name + " to the JavaCPP cache: " + e.getMessage(), e);
                }
            }
        }
    }

    /**
     * The paths of the shared libraries mapped into this process whose file name passes
     * {@code fileName}, from {@code /proc/self/maps}; empty where that file cannot be read.
     */
    static TreeSet<String> mappedLibraries(java.util.function.Predicate<String> fileName) {
        TreeSet<String> libs = new TreeSet<>();
        Path maps = Path.of("/proc/self/maps");
        if (!Files.isReadable(maps)) {
            return libs;
        }
        try {
            for (String line : Files.readAllLines(maps)) {
                int slash = line.indexOf('/');
                if (slash < 0) {
                    continue;
                }
                String path = line.substring(slash).trim();
                if (fileName.test(path.substring(path.lastIndexOf('/') + 1))) {
                    libs.add(path);
                }
            }
        } catch (IOException e) {
            return new TreeSet<>();
        }
        return libs;
    }

    /** Fails if a libtorch or libc10 from outside the JavaCPP cache was mapped into the process. */
    private static void checkSingleLibtorch() {
        TreeSet<String> libs = mappedLibraries(file -> file.startsWith("libtorch_cpu.so") || file.startsWith("libc10.so"));
        String cache = cacheDir();
        List<String> foreign = new ArrayList<>();
        for (String lib : libs) {
            if (cache == null || !lib.startsWith(cache)) {
                foreign.add(lib);
            }
        }
        if (!foreign.isEmpty()) {
            throw new IllegalStateException("jtorch: a second libtorch was loaded into this process "
                    + foreign + " next to the bundled one " + libs + "; remove it from LD_LIBRARY_PATH"
                    + " or LD_PRELOAD");
        }
    }

    private static String cacheDir() {
        try {
            return Loader.getCacheDir().getCanonicalPath();
        } catch (IOException e) {
            return null;
        }
    }

    private static int initialThreads() {
        String p = System.getProperty(THREADS_PROPERTY);
        if (p != null) {
            try {
                int n = Integer.parseInt(p.trim());
                if (n >= 1) {
                    return n;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            throw new IllegalArgumentException("-D" + THREADS_PROPERTY + " must be a positive integer, got '" + p + "'");
        }
        return Runtime.getRuntime().availableProcessors();
    }

    private static String readPresetsVersion() {
        URL u = torch.class.getResource("/META-INF/maven/org.bytedeco/pytorch/pom.properties");
        if (u == null) {
            return "unknown";
        }
        try (InputStream in = u.openStream()) {
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }

    /** Sets libtorch's intra-op thread count; OpenBLAS stays at one thread. */
    public static void setNumThreads(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("thread count must be >= 1, got " + n);
        }
        ensureLoaded();
        org.bytedeco.openblas.presets.openblas_nolapack.blas_set_num_threads(1);
        torch.set_num_threads(n);
    }

    /**
     * Sets OpenBLAS's own thread count (its pthread pool, used by the float32 products).
     *
     * <p>Only sensible with libtorch's intra-op count at 1: two pools that both spin on the same
     * cores make training collapse (docs/design.md).
     */
    public static void setBlasThreads(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("BLAS thread count must be >= 1, got " + n);
        }
        ensureLoaded();
        org.bytedeco.openblas.presets.openblas_nolapack.blas_set_num_threads(n);
    }

    /** libtorch's intra-op thread count. */
    public static int numThreads() {
        ensureLoaded();
        return torch.get_num_threads();
    }

    /** OpenBLAS's thread count (1 under jtorch). */
    public static int blasThreads() {
        ensureLoaded();
        return org.bytedeco.openblas.presets.openblas_nolapack.blas_get_num_threads();
    }

    /** The OpenBLAS kernel in use (e.g. {@code Cooperlake}) and how it was chosen. */
    public static String blasCore() {
        ensureLoaded();
        return Blas.coreInUse() + " (" + Blas.decision + ")";
    }

    /** How glibc's malloc is tuned for tensor buffers (see {@code Malloc}). */
    public static String mallocTuning() {
        ensureLoaded();
        return Malloc.decision;
    }

    /** Seeds libtorch's default generators (CPU and CUDA). */
    public static void manualSeed(long seed) {
        ensureLoaded();
        torch.manual_seed(seed);
    }

    /** The presets' version, e.g. {@code 2.10.0-1.5.13}. */
    public static String presetsVersion() {
        ensureLoaded();
        return presetsVersion;
    }

    /** Whether JavaCPP tracks pointers for the GC in this JVM (false unless accepted explicitly). */
    public static boolean pointerGc() {
        ensureLoaded();
        return pointerGc;
    }

    /** Number of CUDA devices libtorch sees; 0 on the CPU build or without a driver. */
    public static int cudaDeviceCount() {
        ensureLoaded();
        try {
            return torch.cuda_is_available() ? torch.cuda_device_count() : 0;
        } catch (RuntimeException | UnsatisfiedLinkError e) {
            return 0;
        }
    }

    /** The files extracted to JavaCPP's cache before the first load. */
    public static List<String> extractedFiles() {
        ensureLoaded();
        return List.copyOf(extracted);
    }
}
