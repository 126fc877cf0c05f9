package dev.jtorch.internal;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.TreeSet;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.pytorch.global.torch;
import org.slf4j.LoggerFactory;

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
 *   <li><b>Check the CUDA natives before loading them.</b> Without CUDA 13's libraries the GPU
 *       natives do not fail cleanly: the load ends in a SIGSEGV. On a CUDA build jtorch first
 *       resolves every library they need, transitively, as the dynamic linker would
 *       ({@link NativeCheck}); if any is missing it loads the CPU natives instead, with a one-line
 *       warning, or, where those are not on the class path or {@code -Djtorch.cuda=require} asks
 *       for CUDA, refuses with an exception naming each missing library.</li>
 *   <li><b>The right BLAS kernel.</b> OpenBLAS does not recognise every AVX-512 CPU; jtorch picks
 *       its kernel before it loads ({@link Blas}).</li>
 *   <li><b>One thread pool.</b> OpenBLAS is kept single-threaded; libtorch's OpenMP pool does the
 *       parallel work, sized to the cores this process may use ({@code -Djtorch.threads=N}).</li>
 * </ul>
 */
public final class NativeRuntime {
    /** Property that accepts JavaCPP's per-pointer GC tracking when another library enabled it. */
    public static final String POINTER_GC_PROPERTY = dev.jtorch.Property.POINTER_GC.key();
    /** Property that sets the initial intra-op thread count. */
    public static final String THREADS_PROPERTY = dev.jtorch.Property.THREADS.key();
    /** Property that re-enables oneDNN (mkldnn) CPU convolutions; off by default, see {@code configureMkldnn}. */
    public static final String MKLDNN_PROPERTY = dev.jtorch.Property.MKLDNN.key();
    /**
     * Property that chooses the natives of a CUDA build: {@code auto} (default: the CUDA natives
     * when every library they need resolves, else the CPU natives with a warning), {@code require}
     * (the CUDA natives or an exception) or {@code off} (the CPU natives, no check).
     */
    public static final String CUDA_PROPERTY = dev.jtorch.Property.CUDA.key();
    private static final String NOPOINTERGC = "org.bytedeco.javacpp.nopointergc";
    /** JavaCPP's switch between a preset's natives folders ({@code linux-x86_64} + extension). */
    private static final String EXTENSION = "org.bytedeco.javacpp.platform.extension";

    /** Null until the natives loaded: the flag that the first call loads them, and what it chose. */
    private static volatile LoadReport loadReport;
    private static boolean pointerGc;
    private static final List<String> extracted = new ArrayList<>();
    private static String nativesFolder;
    private static volatile String cudaUnusable;

    private NativeRuntime() {}

    /**
     * What loading chose, for {@code jtorch info} and the tests.
     *
     * @param presetsVersion the presets' version, e.g. {@code 2.10.0-1.5.13}
     * @param pointerGc whether JavaCPP tracks pointers for the GC in this JVM (false unless accepted
     *     explicitly)
     * @param mallocTuning how glibc's malloc is tuned for tensor buffers (see {@code Malloc})
     * @param ompWait what libgomp's wait policy is and who chose it
     * @param extractedFiles the files extracted to JavaCPP's cache before the first load
     */
    public record LoadReport(String presetsVersion, boolean pointerGc, String mallocTuning, String ompWait,
                         List<String> extractedFiles) {}

    /** What loading chose; loads the natives first if this is the first call. */
    public static LoadReport loadReport() {
        ensureLoaded();
        return loadReport;
    }

    /**
     * Loads the natives if this is the first call; cheap afterwards.
     *
     * @throws IllegalStateException if JavaCPP was loaded earlier with incompatible settings, or a
     *     second libtorch ended up in the process
     */
    public static void ensureLoaded() {
        if (loadReport == null) {
            load();
        }
    }

    private static synchronized void load() {
        if (loadReport != null) {
            return;
        }
        configurePointerGc();
        Blas.configureBeforeLoad();
        configureOpenMpWait();
        Malloc.configure();
        selectAndExtract();
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
        loadReport = new LoadReport(presetsVersionFromJar(), pointerGc, Malloc.decision, ompWait, List.copyOf(extracted));
    }

    /**
     * libtorch's global oneDNN (mkldnn) switch stays off unless {@code -Djtorch.mkldnn=true}: the
     * presets' oneDNN 3.7.1 computes wrong convolution results on blocked layouts with a partial
     * channel block (the forward for e.g. 24 input channels, the input gradient for output channels
     * that are not a multiple of 16; docs/design.md, "oneDNN convolutions"), and the switch is
     * process-wide. Inference calls oneDNN explicitly where it is right ({@link OneDnn}); everything
     * else uses libtorch's own CPU kernels, which match PyTorch (LayersGoldenTest).
     */
    private static void configureMkldnn() {
        torch.globalContext().setUserEnabledMkldnn(dev.jtorch.Property.MKLDNN.isTrue());
        // NNPACK: where its initialisation fails ("Unsupported hardware", as on this AVX-512 EPYC),
        // libtorch warns on stderr at every convolution that asks for it (thousands of lines per
        // epoch) and then falls back anyway; -Djtorch.nnpack=true asks for it again.
        torch.globalContext().setUserEnabledNNPACK(dev.jtorch.Property.NNPACK.isTrue());
    }

    /** Property for libgomp's wait policy: {@code passive} (default), {@code active}, {@code env} (leave it) or a spin count. */
    public static final String OMP_WAIT_PROPERTY = dev.jtorch.Property.OMP_WAIT.key();
    private static volatile String ompWait = "libgomp default";

    /**
     * libgomp (libtorch's OpenMP) makes idle pool threads spin for ~300,000 iterations after every
     * parallel region unless {@code OMP_WAIT_POLICY} says otherwise. On a shared machine, when
     * another process holds one of the cores, the spinning helper and the working thread fight for
     * the other one and every parallel region waits for a descheduled thread: multi-threaded
     * inference became many times slower than single-threaded (PyTorch the same). jtorch therefore
     * sets {@code OMP_WAIT_POLICY=PASSIVE} in its own process before libgomp loads, unless the
     * environment sets {@code OMP_WAIT_POLICY} or {@code GOMP_SPINCOUNT}; {@code -Djtorch.ompWait=active}
     * or {@code env} keeps libgomp's spinning, and a number bounds it ({@code GOMP_SPINCOUNT}). The
     * price of passive waiting is paid on a quiet machine, where every parallel region wakes a
     * sleeping thread, so 2 threads can be slower than 1 for small convolutions; any spinning, even
     * bounded, collapsed beside one busy process. jtorch cannot know which machine it is on, so it
     * takes the choice that never collapses; a dedicated server can set a spin count
     * (docs/design.md, "OpenMP threads wait passively", has the measurements).
     */
    private static void configureOpenMpWait() {
        String mode = dev.jtorch.Property.OMP_WAIT.value().toLowerCase(Locale.ROOT);
        if (System.getenv("OMP_WAIT_POLICY") != null || System.getenv("GOMP_SPINCOUNT") != null) {
            ompWait = "from the environment";
            return;
        }
        if (mode.equals("env")) {
            return;
        }
        String name, value;
        if (mode.equals("passive") || mode.equals("active")) {
            name = "OMP_WAIT_POLICY";
            value = mode.toUpperCase(Locale.ROOT);
        } else if (mode.matches("[0-9]{1,12}")) {
            // a bounded spin: idle threads spin this many iterations, then sleep
            name = "GOMP_SPINCOUNT";
            value = mode;
        } else {
            throw new IllegalArgumentException("-D" + OMP_WAIT_PROPERTY
                    + " must be passive, active, env or a spin count (a number of iterations), got '" + mode + "'");
        }
        try {
            if (LibC.instance().setenv(name, value, 0) == 0) {
                ompWait = name + "=" + value + " (jtorch)";
            }
        } catch (RuntimeException | LinkageError e) {
            ompWait = "libgomp default (setenv failed: " + e.getMessage() + ")";
        }
    }

    private static void configurePointerGc() {
        boolean accept = dev.jtorch.Property.POINTER_GC.isTrue();
        String requested = System.getProperty(NOPOINTERGC);
        boolean javacppUp = deallocatorThreadRunning();
        if (accept) {
            pointerGc = javacppUp || requested == null || !isTrue(requested);
            return;
        }
        if (javacppUp || (requested != null && !isTrue(requested))) {
            throw new IllegalStateException("jtorch: JavaCPP is "
                    + (javacppUp ? "already loaded" : "configured (-D" + NOPOINTERGC + "=" + requested + ")")
                    + " with per-pointer GC tracking, which slows every tensor op and buys"
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

    /**
     * JavaCPP starts this thread in Pointer's static initializer only when GC tracking is on.
     * Enumerates the threads without {@code Thread.getAllStackTraces()}, which stops the JVM to
     * walk every stack (a measurable part of start-up).
     */
    private static boolean deallocatorThreadRunning() {
        ThreadGroup root = Thread.currentThread().getThreadGroup();
        while (root.getParent() != null) {
            root = root.getParent();
        }
        Thread[] threads = new Thread[root.activeCount() + 16];
        int n;
        while ((n = root.enumerate(threads, true)) == threads.length) {
            threads = new Thread[threads.length * 2];
        }
        for (int i = 0; i < n; i++) {
            if ("JavaCPP Deallocator".equals(threads[i].getName())) {
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

    /**
     * Extracts every library of the presets jtorch uses before the first load, and chooses the
     * pytorch natives folder: on a CUDA build the CUDA natives only if every library they need
     * resolves here.
     *
     * @throws IllegalStateException if the CUDA natives cannot load and the CPU natives are not an
     *     option, or extraction fails
     */
    private static void selectAndExtract() {
        String platform = Loader.getPlatform();
        List<Path> support = supportLibraries(platform, true);
        boolean gpu = resource(pytorchFolder(platform + "-gpu")) != null;
        boolean cpu = resource(pytorchFolder(platform)) != null;
        if (!gpu) {
            extract("pytorch", platform, true);
            nativesFolder = platform;
            // Without the -gpu natives JavaCPP would still try that folder first, with the CUDA
            // preloads it implies: dozens of class-path and folder searches, and loading whatever
            // CUDA runtime the system has (libcudart, libcupti), ~0.5 s of CPU at every start for
            // nothing (docs/design.md, "Start-up"). A value the user set is left alone.
            if (System.getProperty(EXTENSION) == null) {
                dropGpuExtension();
            }
            return;
        }
        String mode = cudaMode();
        if (mode.equals("off")) {
            if (!cpu) {
                throw new IllegalStateException("jtorch: -D" + CUDA_PROPERTY + "=off (or -D" + EXTENSION + "=) asks for the CPU"
                        + " natives, but only the CUDA natives (" + platform + "-gpu) are on the class path; add"
                        + " org.bytedeco:pytorch:" + presetsVersionFromJar() + ":" + platform);
            }
            cudaUnusable = "the CPU natives were chosen with -D" + CUDA_PROPERTY + "=off";
        } else {
            List<Path> gpuFiles = extract("pytorch", platform + "-gpu", true);
            NativeCheck.Result r = NativeCheck.check(cudaRoots(platform, gpuFiles, support), concat(gpuFiles, support));
            if (r.loadable()) {
                nativesFolder = platform + "-gpu";
                return;
            }
            if (!cpu || mode.equals("require")) {
                throw new IllegalStateException(NativeCheck.refusal(r, !cpu
                        ? "To run without CUDA, use jtorch's CPU build (without -Pcuda)"
                        : "To run without CUDA, drop -D" + CUDA_PROPERTY + "=require: the CPU natives are on the class path"));
            }
            cudaUnusable = NativeCheck.shortReason(r);
            LoggerFactory.getLogger(NativeRuntime.class).warn(NativeCheck.fallbackWarning(r));
        }
        dropGpuExtension();
        extract("pytorch", platform, true);
        nativesFolder = platform;
    }

    /**
     * JavaCPP picks the first natives folder that has a library, trying "-gpu" before "": an empty
     * extension drops the "-gpu" platform (and its CUDA preloads) altogether. It copies
     * org.bytedeco.javacpp.platform.* into its platform properties once; where an embedding
     * application (or {@code Loader.getPlatform()}) made them already, the cached object is changed
     * too. JVM-wide: another preset's "-gpu" natives then need the property set explicitly.
     */
    private static void dropGpuExtension() {
        System.setProperty(EXTENSION, "");
        Loader.loadProperties().setProperty("platform.extension", "");
    }

    /** {@code auto}, {@code require} or {@code off}, from -Djtorch.cuda (or JavaCPP's own extension property). */
    private static String cudaMode() {
        String ext = System.getProperty(EXTENSION);
        if (ext != null && !ext.trim().endsWith("-gpu")) {
            return "off";
        }
        String m = dev.jtorch.Property.CUDA.value().toLowerCase(Locale.ROOT);
        if (!m.equals("auto") && !m.equals("require") && !m.equals("off")) {
            throw new IllegalArgumentException("-D" + CUDA_PROPERTY + " must be auto, require or off, got '"
                    + System.getProperty(CUDA_PROPERTY) + "'");
        }
        return m;
    }

    private static String pytorchFolder(String folder) {
        return "/org/bytedeco/pytorch/" + folder + "/";
    }

    /** The javacpp, openblas and (where present) cuda presets' libraries, extracted. */
    private static List<Path> supportLibraries(String platform, boolean record) {
        List<Path> out = new ArrayList<>();
        for (String preset : new String[] {"javacpp", "openblas", "cuda"}) {
            out.addAll(extract(preset, platform, record));
        }
        return out;
    }

    /** What a CUDA build loads: the pytorch -gpu folder's libraries and the CUDA presets' JNI ones. */
    private static List<Path> cudaRoots(String platform, List<Path> gpuFiles, List<Path> support) {
        List<Path> roots = new ArrayList<>(NativeCheck.librariesIn(gpuFiles, platform + "-gpu"));
        roots.addAll(NativeCheck.cudaJni(support));
        return roots;
    }

    private static List<Path> concat(List<Path> a, List<Path> b) {
        List<Path> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }

    /** Extracts one natives folder of a preset to the JavaCPP cache; empty if no jar has it. */
    private static List<Path> extract(String preset, String folder, boolean record) {
        String name = "/org/bytedeco/" + preset + "/" + folder + "/";
        // through the class loader: in a named module Class.getResource looks only inside
        // jtorch's own module, and the natives live in the presets' platform jars
        if (resource(name) == null) {
            return List.of();
        }
        List<String> roots = new ArrayList<>();
        List<Path> out = new ArrayList<>();
        String stampKey = stampKey(name);
        if (stampKey != null && readStamp(stampKey, roots, out)) {
            if (record) {
                extracted.addAll(roots);
            }
            return out;
        }
        roots.clear();
        out.clear();
        try {
            for (File f : Loader.cacheResources(NativeRuntime.class, name)) {
                roots.add(f.getPath());
                if (record) {
                    extracted.add(f.getPath());
                }
                // a folder resource comes back as the cached folder; the symbolic links in it are
                // JavaCPP's own, made at load time, not the presets' files
                if (f.isDirectory()) {
                    try (java.util.stream.Stream<Path> files = Files.walk(f.toPath())) {
                        files.filter(p -> !Files.isSymbolicLink(p) && Files.isRegularFile(p)).sorted().forEach(out::add);
                    }
                } else {
                    out.add(f.toPath());
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("jtorch: could not extract the native libraries in "
                    + name + " to the JavaCPP cache: " + e.getMessage(), e);
        }
        if (stampKey != null) {
            writeStamp(stampKey, roots, out);
        }
        return out;
    }

    /*
     * The extraction stamp. Extracting means reading each preset jar's directory and comparing
     * every entry with its cached copy (JavaCPP's cacheResources), ~0.1 s of CPU at every start
     * although the cache is complete after the first. After a full extraction jtorch records the
     * jars (size, modification time) and the cached files (size, modification time) in
     * <cachedir>/jtorch-extracted/; a later start whose jars and files all still match skips the
     * extraction. Anything else (no stamp, another jar, a file missing, resized or touched, an
     * unreadable stamp) extracts as before, so the cache is always complete before the first load.
     */

    /** The stamp's text key for a natives folder: every jar URL that has it; null where one is not a jar. */
    private static String stampKey(String name) {
        try {
            ClassLoader l = NativeRuntime.class.getClassLoader();
            java.util.Enumeration<URL> urls = l == null ? ClassLoader.getSystemResources(name.substring(1))
                    : l.getResources(name.substring(1));
            StringBuilder key = new StringBuilder(name).append('\n');
            while (urls.hasMoreElements()) {
                Path jar = jarOf(urls.nextElement());
                if (jar == null) {
                    return null;
                }
                key.append("jar ").append(Files.size(jar)).append(' ')
                        .append(Files.getLastModifiedTime(jar).toMillis()).append(' ').append(jar).append('\n');
            }
            return key.toString();
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** The jar file of a {@code jar:file:...!/entry} URL; null for any other URL. */
    private static Path jarOf(URL url) {
        String spec = url.toString();
        int bang = spec.indexOf("!/");
        if (!spec.startsWith("jar:file:") || bang < 0) {
            return null;
        }
        try {
            return Path.of(new java.net.URI(spec.substring(4, bang)));
        } catch (java.net.URISyntaxException | RuntimeException e) {
            return null;
        }
    }

    private static Path stampFile(String key) throws IOException {
        String first = key.substring(0, key.indexOf('\n'));
        return Loader.getCacheDir().toPath().resolve("jtorch-extracted")
                .resolve(first.replaceAll("[^A-Za-z0-9_.-]+", "_") + Integer.toHexString(key.hashCode()) + ".txt");
    }

    /** Fills roots and files from a stamp that still matches the jars and the cache; false if none does. */
    private static boolean readStamp(String key, List<String> roots, List<Path> files) {
        try {
            Path stamp = stampFile(key);
            if (!Files.isRegularFile(stamp)) {
                return false;
            }
            String text = Files.readString(stamp);
            if (!text.startsWith(key)) {
                return false;
            }
            for (String line : text.substring(key.length()).split("\n")) {
                if (line.startsWith("root ")) {
                    String root = line.substring(5);
                    if (!Files.exists(Path.of(root))) {
                        return false;
                    }
                    roots.add(root);
                } else if (line.startsWith("file ")) {
                    String[] f = line.split(" ", 4);
                    Path p = Path.of(f[3]);
                    if (Files.isSymbolicLink(p) || !Files.isRegularFile(p) || Files.size(p) != Long.parseLong(f[1])
                            || Files.getLastModifiedTime(p).toMillis() != Long.parseLong(f[2])) {
                        return false;
                    }
                    files.add(p);
                } else if (!line.isEmpty()) {
                    return false;
                }
            }
            return !roots.isEmpty();
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private static void writeStamp(String key, List<String> roots, List<Path> files) {
        try {
            StringBuilder text = new StringBuilder(key);
            for (String root : roots) {
                text.append("root ").append(root).append('\n');
            }
            for (Path p : files) {
                text.append("file ").append(Files.size(p)).append(' ')
                        .append(Files.getLastModifiedTime(p).toMillis()).append(' ').append(p).append('\n');
            }
            Path stamp = stampFile(key);
            Files.createDirectories(stamp.getParent());
            Path tmp = Files.createTempFile(stamp.getParent(), "stamp", ".tmp");
            Files.writeString(tmp, text);
            Files.move(tmp, stamp, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            // no stamp: the next start extracts again
        }
    }

    /**
     * What {@code jtorch doctor} reports: this build's libraries (the CUDA natives' on a CUDA
     * build, whichever natives are in use) and everything they need, resolved; extracts but never
     * loads.
     *
     * @throws IllegalStateException if the libraries cannot be extracted
     */
    static Inspection inspect() {
        String platform = Loader.getPlatform();
        synchronized (NativeRuntime.class) {
            List<Path> roots = new ArrayList<>();
            for (String preset : new String[] {"javacpp", "openblas"}) {
                roots.addAll(NativeCheck.librariesIn(extract(preset, platform, false), platform));
            }
            List<Path> cuda = extract("cuda", platform, false);
            boolean gpu = resource(pytorchFolder(platform + "-gpu")) != null;
            String folder = gpu ? platform + "-gpu" : platform;
            List<Path> files = extract("pytorch", folder, false);
            roots.addAll(NativeCheck.librariesIn(files, folder));
            if (gpu) {
                roots.addAll(NativeCheck.cudaJni(cuda));
            }
            List<Path> available = concat(concat(roots, files), cuda);
            return new Inspection(platform, gpu, resource(pytorchFolder(platform)) != null,
                    NativeCheck.check(roots, available));
        }
    }

    /**
     * The state {@link #inspect()} found.
     *
     * @param platform JavaCPP's platform, e.g. {@code linux-x86_64}
     * @param cudaBuild whether the CUDA natives ({@code -gpu}) are on the class path
     * @param cpuNatives whether the CPU natives are on the class path
     * @param result the libraries and what they need
     */
    record Inspection(String platform, boolean cudaBuild, boolean cpuNatives, NativeCheck.Result result) {}

    /** The natives folder in use, e.g. {@code linux-x86_64-gpu}; null before the natives loaded. */
    public static String nativesFolder() {
        return nativesFolder;
    }

    /**
     * Why a CUDA build runs on its CPU natives (missing libraries, or {@code -Djtorch.cuda=off});
     * null on the CPU build, when the CUDA natives are in use, or before the natives loaded.
     */
    public static String cudaUnusable() {
        return cudaUnusable;
    }

    /** The pytorch presets' version from its jar's Maven metadata, without loading anything. */
    static String presetsVersionFromJar() {
        return mavenVersion("pytorch");
    }

    /** An {@code org.bytedeco} artifact's version from its jar's {@code pom.properties}; "unknown" if absent. */
    static String mavenVersion(String artifact) {
        URL u = resource("/META-INF/maven/org.bytedeco/" + artifact + "/pom.properties");
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
        String p = dev.jtorch.Property.THREADS.raw();
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

    /** Seeds libtorch's default generators (CPU and CUDA). */
    public static void manualSeed(long seed) {
        ensureLoaded();
        torch.manual_seed(seed);
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
}
