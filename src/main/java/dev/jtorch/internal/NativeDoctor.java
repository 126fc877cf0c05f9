package dev.jtorch.internal;

import dev.jtorch.Doctor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds {@link Doctor.Report}: {@link NativeRuntime#inspect()} for the libraries, then a load
 * through {@link NativeRuntime#ensureLoaded()}, whose own check keeps it from crashing.
 */
public final class NativeDoctor {
    private NativeDoctor() {}

    /**
     * The report for this process.
     *
     * @throws IllegalStateException if the libraries cannot be extracted to the JavaCPP cache
     */
    public static Doctor.Report report() {
        NativeRuntime.Inspection in = NativeRuntime.inspect();
        List<Doctor.Library> libs = new ArrayList<>();
        for (LibraryResolver.Library l : in.result().libraries()) {
            libs.add(new Doctor.Library(l.name(), l.path() == null ? null : l.path().toString(), l.neededBy(), l.problem()));
        }
        String folder = in.platform() + (in.cudaBuild() ? "-gpu" : "");
        String build = (in.cudaBuild() ? "CUDA (" : "CPU (") + folder + (in.cudaBuild() && in.cpuNatives()
                ? ", with the CPU natives " + in.platform() + " to fall back on)" : ")");
        String versions = "pytorch " + NativeRuntime.mavenVersion("pytorch") + ", javacpp " + NativeRuntime.mavenVersion("javacpp")
                + ", openblas " + NativeRuntime.mavenVersion("openblas")
                + (in.cudaBuild() ? ", cuda " + NativeRuntime.mavenVersion("cuda") : "");

        String natives;
        String blas;
        boolean loaded = false;
        try {
            NativeRuntime.ensureLoaded();
            loaded = true;
            String f = NativeRuntime.nativesFolder();
            natives = f + (NativeRuntime.cudaUnusable() != null ? " (CPU fallback: see CUDA)" : "");
            blas = "OpenBLAS " + NativeRuntime.mavenVersion("openblas") + ", kernel " + NativeRuntime.blasCore() + ", "
                    + NativeRuntime.blasThreads() + " thread" + (NativeRuntime.blasThreads() == 1 ? "" : "s")
                    + " (libtorch's pool: " + NativeRuntime.numThreads() + ")";
        } catch (RuntimeException | LinkageError e) {
            natives = "not loaded: " + firstLine(e);
            blas = "not loaded";
        }

        String version = NativeCheck.driverVersion();
        Path libcuda = findDriverLibrary(in.result());
        String driver;
        if (version == null && libcuda == null) {
            driver = "none (no /proc/driver/nvidia/version, " + NativeCheck.DRIVER_LIBRARY + " not found): no GPU driver on this machine";
        } else {
            driver = (version == null ? "kernel module not loaded (no /proc/driver/nvidia/version)" : version) + "; "
                    + NativeCheck.DRIVER_LIBRARY + (libcuda == null ? " not found" : " at " + libcuda);
        }

        List<String> gpus = new ArrayList<>();
        boolean cudaLoaded = loaded && NativeRuntime.nativesFolder() != null && NativeRuntime.nativesFolder().endsWith("-gpu");
        String cuda;
        if (!in.cudaBuild()) {
            cuda = "not in this build (build with -Pcuda)";
            gpus.addAll(NativeCheck.driverGpus());
        } else if (cudaLoaded) {
            int n = NativeCuda.deviceCount();
            cuda = n > 0 ? "available, " + n + " device" + (n == 1 ? "" : "s") : NativeCuda.unavailableMessage();
            for (String g : NativeCheck.driverGpus()) {
                gpus.add(g);
            }
            if (gpus.isEmpty() && n > 0) {
                gpus.add(n + " CUDA device" + (n == 1 ? "" : "s"));
            }
        } else {
            List<LibraryResolver.Library> b = in.result().blocking();
            cuda = "not usable: " + (b.isEmpty() ? NativeCuda.unavailableMessage()
                    : b.size() + " needed librar" + (b.size() == 1 ? "y is" : "ies are") + " missing or unreadable (listed below)");
            gpus.addAll(NativeCheck.driverGpus());
        }
        if (gpus.isEmpty()) {
            gpus.add("none seen");
        }
        boolean ok = loaded && in.result().complete();
        return new Doctor.Report(in.platform(), versions, build, natives, blas, driver, List.copyOf(gpus), cuda,
                List.copyOf(libs), ok);
    }

    /** The driver's library: from the check where a library needed it, else searched for alone. */
    private static Path findDriverLibrary(NativeCheck.Result r) {
        for (LibraryResolver.Library l : r.libraries()) {
            if (l.name().equals(NativeCheck.DRIVER_LIBRARY)) {
                return l.path();
            }
        }
        LibraryResolver resolver = new LibraryResolver(LibraryResolver.SearchPath.system(java.util.Map.of()));
        return resolver.resolve(NativeCheck.DRIVER_LIBRARY, Path.of("/"),
                new Elf.Info(Elf.EM_X86_64, null, List.of(), List.of(), List.of()));
    }

    private static String firstLine(Throwable e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        int nl = m.indexOf('\n');
        return nl >= 0 ? m.substring(0, nl) : m;
    }
}
