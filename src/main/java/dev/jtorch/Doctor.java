package dev.jtorch;

import dev.jtorch.internal.NativeDoctor;
import java.util.List;

/**
 * What jtorch's natives need on this machine and what it found: {@code jtorch doctor}, callable
 * from Java.
 *
 * <p>Lists every native library jtorch loads (the JavaCPP presets' libraries, on a CUDA build the
 * CUDA natives' ones) and, transitively, every shared library they need, with the file the dynamic
 * linker would use or the fact that it is missing; then the NVIDIA driver, the GPUs, the natives in
 * use and the BLAS. Nothing crashes when libraries are missing: the check reads the libraries'
 * ELF headers in Java and loads the natives only when it is safe to.
 */
public final class Doctor {
    private Doctor() {}

    /**
     * One native library.
     *
     * @param name the name it is asked for by ({@code DT_NEEDED}), or a presets library's file name
     * @param path where it was found, or null if it is missing
     * @param neededBy the libraries that need it (file names); empty for the presets' own libraries
     * @param problem why a found file is unusable (not a readable ELF64 library), or null
     */
    public record Library(String name, String path, List<String> neededBy, String problem) {
        /** Whether the library was found and can be read. */
        public boolean ok() {
            return path != null && problem == null;
        }
    }

    /**
     * The whole report.
     *
     * @param platform JavaCPP's platform, e.g. {@code linux-x86_64}
     * @param versions the presets' versions, e.g. {@code pytorch 2.10.0-1.5.13, javacpp 1.5.13, openblas 0.3.31-1.5.13}
     * @param build {@code CPU} or {@code CUDA}, and its natives folder
     * @param natives the natives folder in use, or why none could load
     * @param blas the BLAS libtorch uses (OpenBLAS: version, kernel, threads), or why it is unknown
     * @param driver the NVIDIA driver found, or that there is none
     * @param gpus the GPUs seen: through CUDA when its natives are loaded, else the driver's list
     * @param cuda whether CUDA can be used, and if not why
     * @param libraries every library checked, found or missing
     * @param ok whether every library needed resolves and the natives loaded
     */
    public record Report(String platform, String versions, String build, String natives, String blas, String driver,
            List<String> gpus, String cuda, List<Library> libraries, boolean ok) {
        /** The libraries that are missing or unusable. */
        public List<Library> missing() {
            return libraries.stream().filter(l -> !l.ok()).toList();
        }
    }

    /**
     * Checks the natives and, where that is safe, loads them.
     *
     * <p>Extracts the presets' libraries into the JavaCPP cache if needed (as the first load does).
     *
     * @throws IllegalStateException if the libraries cannot be extracted to the JavaCPP cache
     */
    public static Report run() {
        return NativeDoctor.report();
    }
}
