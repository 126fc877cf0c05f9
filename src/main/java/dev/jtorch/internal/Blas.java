package dev.jtorch.internal;

import com.sun.jna.NativeLibrary;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Keeps OpenBLAS on the kernel the CPU deserves, and reports the one in use.
 *
 * <p>The presets ship a DYNAMIC_ARCH OpenBLAS (0.3.31) that picks its kernel at load time from
 * CPUID, unless {@code OPENBLAS_CORETYPE} names one. Environments set that variable for
 * reproducible NumPy results (this project's machines export {@code OPENBLAS_CORETYPE=Haswell}),
 * and on an AVX-512 CPU it makes every float32 product markedly slower than the AVX-512 kernels
 * would (docs/benchmarks.md). So, in the default {@code auto} mode, when the environment pins a
 * pre-AVX-512 kernel on a CPU with AVX-512 F/CD/BW/DQ/VL, jtorch replaces it in its own process
 * (libc {@code setenv} through JNA, before JavaCPP loads anything; OpenBLAS reads the variable
 * once, in its load-time constructor) and logs it. {@code -Djtorch.blasCore=env} keeps the
 * environment's value, {@code -Djtorch.blasCore=NAME} forces a kernel. Results differ from the
 * Haswell kernel's in the last float bits only (a different summation order).
 */
final class Blas {
    /** System property: {@code auto} (default), {@code env}, or an OpenBLAS core name. */
    static final String PROPERTY = dev.jtorch.Property.BLAS_CORE.key();
    private static final String ENV = "OPENBLAS_CORETYPE";
    private static final Set<String> AVX512_CORES =
            Set.of("skylakex", "cooperlake", "sapphirerapids");

    /**
     * Set by the launchers (scripts/jtorch, scripts/bench) to the value of {@code OPENBLAS_CORETYPE}
     * they replaced by the same rule as {@link #override}, before java starts: changing the
     * variable from inside the JVM needs JNA, which costs start-up time. Only the report
     * reads it.
     */
    static final String LAUNCHER_ENV = "JTORCH_BLAS_CORE_REPLACED";

    /** What was decided before the load, for {@code jtorch info} and the logs. */
    static String decision = "not configured";

    private Blas() {}

    /** Must run before the first JavaCPP load. */
    static void configureBeforeLoad() {
        String prop = dev.jtorch.Property.BLAS_CORE.value();
        String fromEnv = System.getenv(ENV);
        String core;
        String why;
        if (prop.equalsIgnoreCase("env")) {
            decision = fromEnv == null ? "OpenBLAS's own detection" : ENV + "=" + fromEnv + " from the environment";
            return;
        } else if (prop.equalsIgnoreCase("auto") || prop.isEmpty()) {
            core = fromEnv == null || isAvx512Core(fromEnv) ? null : override(fromEnv, cpuFlags());
            if (core == null) {
                String replaced = System.getenv(LAUNCHER_ENV);
                if (fromEnv == null) {
                    decision = "OpenBLAS's own detection";
                } else if (replaced != null && isAvx512Core(fromEnv)) {
                    decision = ENV + "=" + fromEnv + " (set by the launcher): " + replaces(replaced);
                } else {
                    decision = ENV + "=" + fromEnv + " from the environment";
                }
                return;
            }
            why = replaces(fromEnv);
        } else {
            core = prop;
            why = "-D" + PROPERTY;
        }
        try {
            if (LibC.instance().setenv(ENV, core, 1) != 0) {
                decision = ENV + "=" + fromEnv + " (setenv failed)";
                return;
            }
            decision = ENV + "=" + core + ": " + why;
        } catch (UnsatisfiedLinkError | RuntimeException e) {
            // JNA's native part may be missing on an exotic platform: run with what OpenBLAS picks.
            decision = ENV + "=" + fromEnv + " (could not change it: " + e.getMessage() + ")";
        }
    }

    private static String replaces(String envCore) {
        return "replaces " + ENV + "=" + envCore + " from the environment, an AVX2 kernel on an AVX-512 CPU;"
                + " -D" + PROPERTY + "=env keeps it";
    }

    private static boolean isAvx512Core(String core) {
        return AVX512_CORES.contains(core.trim().toLowerCase(Locale.ROOT));
    }

    /**
     * The kernel to use instead of {@code envCore}, or null to keep it.
     *
     * <p>Only a pre-AVX-512 kernel on a CPU with the AVX-512 subsets that OpenBLAS's SkylakeX kernels
     * use (F, CD, BW, DQ, VL) is replaced; {@code Cooperlake} adds AVX-512 BF16 where present.
     */
    static String override(String envCore, Set<String> flags) {
        if (isAvx512Core(envCore)) {
            return null;
        }
        for (String f : List.of("avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl")) {
            if (!flags.contains(f)) {
                return null;
            }
        }
        return flags.contains("avx512_bf16") ? "Cooperlake" : "SkylakeX";
    }

    /**
     * The kernel of each OpenBLAS mapped into this process, e.g. {@code Cooperlake}.
     *
     * <p>Both OpenBLAS copies the presets ship (the openblas preset's and the one next to
     * libtorch) read the same variable, so they agree; "unknown" if none can be asked.
     */
    static String coreInUse() {
        Set<String> cores = new java.util.TreeSet<>();
        for (String path : NativeRuntime.mappedLibraries(name -> name.startsWith("libopenblas"))) {
            try {
                // dlopen of an already loaded path returns the same handle: no second copy.
                NativeLibrary lib = NativeLibrary.getInstance(path);
                cores.add(lib.getFunction("openblas_get_corename").invokeString(new Object[0], false));
            } catch (UnsatisfiedLinkError | RuntimeException e) {
                // an OpenBLAS without the query: skip it
            }
        }
        return cores.isEmpty() ? "unknown" : String.join("/", cores);
    }

    private static List<String> cpuinfo() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo"));
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
    }

    private static String field(String key) {
        for (String line : cpuinfo()) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().equals(key)) {
                return line.substring(colon + 1).trim();
            }
        }
        return "";
    }

    static Set<String> cpuFlags() {
        return new HashSet<>(Arrays.asList(field("flags").toLowerCase(Locale.ROOT).split("\\s+")));
    }
}
