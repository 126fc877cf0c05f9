package dev.jtorch.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Whether a set of extracted native libraries can load here: every library they need, transitively,
 * resolved as the dynamic linker would ({@link LibraryResolver}), before anything is loaded.
 *
 * <p>Why before: when a CUDA library that libtorch_cuda.so needs is missing, JavaCPP does not stop at
 * the failed {@code dlopen}; it falls back to {@code System.loadLibrary("torch")}, which can find a
 * system libtorch (Debian's 1.13) and crash the JVM, and the presets' raw loading dies the same way.
 * Reading {@code DT_NEEDED} entries in Java is the only way to know beforehand.
 */
final class NativeCheck {
    /** The NVIDIA driver's library: loaded by the CUDA runtime, never shipped with a toolkit. */
    static final String DRIVER_LIBRARY = "libcuda.so.1";

    /**
     * The CUDA presets' JNI libraries that jtorch's CUDA bindings load: {@code torch_cuda} inherits
     * cudnn, cusparse, cusolver and cupti, those inherit cublas and cudart, and {@code torch_nccl}
     * inherits nccl (their {@code @Properties}, javap'd for 13.1-9.19-1.5.13).
     */
    static final List<String> CUDA_JNI = List.of("cudart", "cublas", "cudnn", "cusparse", "cusolver", "cupti", "nccl");

    private static final Pattern SHARED_LIBRARY = Pattern.compile("lib.+\\.so(\\.[0-9]+)*");
    private static final Pattern DRIVER_VERSION = Pattern.compile("Kernel Module(?: for [^ ]+)?\\s+([0-9][0-9.]*)");

    /**
     * The outcome of one check.
     *
     * @param libraries the roots and everything they need, found or missing
     */
    record Result(List<LibraryResolver.Library> libraries) {
        /** Libraries that are missing, except the driver, or unreadable: each one stops the load. */
        List<LibraryResolver.Library> blocking() {
            List<LibraryResolver.Library> out = new ArrayList<>();
            for (LibraryResolver.Library l : libraries) {
                if ((l.missing() && !l.name().equals(DRIVER_LIBRARY)) || l.problem() != null) {
                    out.add(l);
                }
            }
            return out;
        }

        /** Whether the libraries can load (the driver aside: without it they load and see no GPU). */
        boolean loadable() {
            return blocking().isEmpty();
        }

        /** Whether the driver library was needed and not found. */
        boolean driverMissing() {
            for (LibraryResolver.Library l : libraries) {
                if (l.missing() && l.name().equals(DRIVER_LIBRARY)) {
                    return true;
                }
            }
            return false;
        }

        /** Whether every library, the driver's included, was found and read. */
        boolean complete() {
            return loadable() && !driverMissing();
        }

        /** {@code libcublas.so.13 (needed by libtorch_cuda.so, libjnicublas.so), ...}: the blocking ones. */
        String blockingList() {
            StringBuilder sb = new StringBuilder();
            for (LibraryResolver.Library l : blocking()) {
                if (sb.length() > 0) {
                    sb.append(", ");
                }
                if (l.problem() != null) {
                    sb.append(l.problem());
                } else {
                    sb.append(l.name()).append(" (needed by ").append(String.join(", ", l.neededBy())).append(')');
                }
            }
            return sb.toString();
        }
    }

    private NativeCheck() {}

    /**
     * Checks {@code roots} against this machine's search path, with {@code available} (every
     * library JavaCPP extracts and loads first) counting as present.
     */
    static Result check(List<Path> roots, List<Path> available) {
        return check(roots, new LibraryResolver(LibraryResolver.SearchPath.system(byName(available))));
    }

    /** Checks {@code roots} with a given resolver (tests fabricate one). */
    static Result check(List<Path> roots, LibraryResolver resolver) {
        return new Result(resolver.closure(roots));
    }

    /** The shared libraries among extracted files, by file name and by soname. */
    static Map<String, Path> byName(List<Path> files) {
        Map<String, Path> out = new HashMap<>();
        for (Path f : files) {
            if (!isSharedLibrary(f)) {
                continue;
            }
            out.putIfAbsent(f.getFileName().toString(), f);
            try {
                String soname = Elf.read(f).soname();
                if (soname != null) {
                    out.putIfAbsent(soname, f);
                }
            } catch (IOException e) {
                // an unreadable file still counts by its name; if it is a root, the check reports it
            }
        }
        return out;
    }

    /** Whether {@code f} is named like a shared library ({@code libX.so}, {@code libX.so.1.2}) and is a file. */
    static boolean isSharedLibrary(Path f) {
        return f.getFileName() != null && SHARED_LIBRARY.matcher(f.getFileName().toString()).matches() && Files.isRegularFile(f);
    }

    /** The shared libraries among {@code files} directly inside a folder named {@code folder}. */
    static List<Path> librariesIn(List<Path> files, String folder) {
        List<Path> out = new ArrayList<>();
        for (Path f : files) {
            Path parent = f.getParent();
            if (parent != null && parent.getFileName() != null && parent.getFileName().toString().equals(folder)
                    && isSharedLibrary(f)) {
                out.add(f);
            }
        }
        return out;
    }

    /** The CUDA presets' JNI libraries jtorch's CUDA bindings load ({@link #CUDA_JNI}), among {@code files}. */
    static List<Path> cudaJni(List<Path> files) {
        List<Path> out = new ArrayList<>();
        for (Path f : files) {
            String n = f.getFileName().toString();
            for (String lib : CUDA_JNI) {
                if (n.equals("libjni" + lib + ".so")) {
                    out.add(f);
                }
            }
        }
        return out;
    }

    /**
     * The exception text when the CUDA natives cannot load: each missing library and who needs it,
     * the driver's state, and how to provide them. One line, since the CLI prints the first line.
     *
     * @param cpuAlternative how to run without CUDA instead, a sentence without its full stop
     */
    static String refusal(Result r, String cpuAlternative) {
        return "jtorch: the CUDA natives cannot load, " + r.blocking().size() + " of the libraries they need "
                + (r.blocking().size() == 1 ? "is" : "are") + " missing or unreadable: " + r.blockingList() + ". "
                + howToProvide() + " " + driverSentence(r) + " " + cpuAlternative + "; `jtorch doctor` lists every library.";
    }

    /** The one-line warning when jtorch falls back to its CPU natives. */
    static String fallbackWarning(Result r) {
        return "jtorch: running on the CPU natives: " + shortReason(r) + "; `jtorch doctor` lists them, -Djtorch.cuda=off"
                + " skips this check";
    }

    /**
     * Why the CUDA natives cannot load, in a few words: {@code the CUDA natives need 14 libraries this
     * machine lacks (libcusparse.so.12, libcudnn_cnn.so.9, libcudnn_adv.so.9 and 11 more) and there
     * is no NVIDIA driver (libcuda.so.1)}.
     */
    static String shortReason(Result r) {
        List<LibraryResolver.Library> b = r.blocking();
        StringBuilder names = new StringBuilder();
        for (int i = 0; i < Math.min(3, b.size()); i++) {
            names.append(i > 0 ? ", " : "").append(b.get(i).problem() != null ? b.get(i).path().getFileName() + " (unreadable)" : b.get(i).name());
        }
        if (b.size() > 3) {
            names.append(" and ").append(b.size() - 3).append(" more");
        }
        return "the CUDA natives need " + b.size() + " librar" + (b.size() == 1 ? "y" : "ies") + " this machine lacks ("
                + names + ")" + (r.driverMissing() ? " and there is no NVIDIA driver (" + DRIVER_LIBRARY + ")" : "");
    }

    static String howToProvide() {
        return "Provide CUDA 13.x with cuDNN 9 and NCCL 2: an installed CUDA 13 toolkit plus cuDNN and NCCL (registered"
                + " with ldconfig, or their lib folders on LD_LIBRARY_PATH), or the CUDA 13 Python wheels (nvidia-cublas,"
                + " nvidia-cudnn-cu13, nvidia-nccl-cu13, ...: the nvidia/*/lib folders on LD_LIBRARY_PATH).";
    }

    static String driverSentence(Result r) {
        String version = driverVersion();
        if (r.driverMissing()) {
            return "The NVIDIA driver is missing as well (" + DRIVER_LIBRARY + " not found"
                    + (version == null ? ", no /proc/driver/nvidia/version" : "") + "): no GPU can be used on this machine.";
        }
        return "The NVIDIA driver is present" + (version == null ? "" : " (" + version + ")") + ".";
    }

    /**
     * The loaded NVIDIA kernel module's version from {@code /proc/driver/nvidia/version}, e.g.
     * {@code 580.65.06}; null when there is no NVIDIA driver loaded (or the file cannot be read).
     */
    static String driverVersion() {
        return driverVersion(Path.of("/proc/driver/nvidia/version"));
    }

    static String driverVersion(Path file) {
        try {
            if (!Files.isReadable(file)) {
                return null;
            }
            String text = Files.readString(file, StandardCharsets.UTF_8);
            Matcher m = DRIVER_VERSION.matcher(text);
            if (m.find()) {
                return m.group(1);
            }
            String first = text.lines().findFirst().orElse("").trim();
            return first.isEmpty() ? null : first;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * The GPU models the NVIDIA driver lists under {@code /proc/driver/nvidia/gpus} (no CUDA
     * needed); empty without a driver.
     */
    static List<String> driverGpus() {
        List<String> out = new ArrayList<>();
        Path dir = Path.of("/proc/driver/nvidia/gpus");
        if (!Files.isDirectory(dir)) {
            return out;
        }
        List<Path> gpus = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            ds.forEach(gpus::add);
        } catch (IOException | RuntimeException e) {
            return out;
        }
        gpus.sort(null);
        for (Path g : gpus) {
            String model = "unknown model";
            try {
                for (String line : Files.readAllLines(g.resolve("information"), StandardCharsets.UTF_8)) {
                    if (line.startsWith("Model:")) {
                        model = line.substring(6).trim();
                    }
                }
            } catch (IOException | RuntimeException e) {
                // keep "unknown model"
            }
            out.add(model + " (" + g.getFileName() + ")");
        }
        return out;
    }
}
