package dev.jtorch.internal;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.pytorch.Stat;
import org.bytedeco.pytorch.cuda.CUDAAllocator;
import org.bytedeco.pytorch.cuda.DeviceStats;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.DeviceType;
import org.bytedeco.pytorch.global.torch_cuda;

/**
 * libtorch's CUDA runtime and caching allocator, guarded so that the CPU build never fails with a
 * {@link LinkageError}.
 *
 * <p>Two layers, probed separately:
 * <ul>
 *   <li><b>Detection</b> uses only {@code torch::cuda::is_available} / {@code device_count} from the
 *       main presets, whose natives exist in every build; it runs once per JVM and answers 0 devices
 *       on the CPU build or without a driver.</li>
 *   <li><b>Allocator bindings</b> ({@code org.bytedeco.pytorch.global.torch_cuda},
 *       {@code org.bytedeco.pytorch.cuda.*}) have natives only in the {@code -gpu} jar and need the
 *       {@code org.bytedeco:cuda} presets on the class path. They sit in the nested class
 *       {@code Bindings}, which the JVM links only when CUDA was detected; any {@link LinkageError}
 *       (or the {@code TypeNotPresentException} behind it) becomes a clear
 *       {@link UnsupportedOperationException}.</li>
 * </ul>
 * Calls that need CUDA throw {@link UnsupportedOperationException} with {@link #unavailableMessage()}
 * when it is absent; device indices are checked in Java before reaching native code.
 */
public final class NativeCuda {
    /** The message of every CUDA-only call on the CPU build. */
    public static final String CPU_BUILD_MESSAGE =
            "CUDA is not available: this is the CPU build of jtorch; build with -Pcuda";

    private static final Pattern OOM_DEVICE = Pattern.compile("(?:GPU|[Dd]evice) (\\d+)");

    private static volatile int count = -1;
    private static volatile Bindings bindings;
    private static volatile String bindingProblem;

    private NativeCuda() {}

    /** Whether this process sees at least one CUDA device through libtorch; detected once per JVM. */
    public static boolean available() {
        return deviceCount() > 0;
    }

    /** Number of CUDA devices libtorch sees; 0 on the CPU build or without a usable driver. */
    public static int deviceCount() {
        int c = count;
        return c >= 0 ? c : detect();
    }

    /** Loads libtorch if needed (its failures propagate, uncached) and asks it once for devices. */
    private static synchronized int detect() {
        if (count < 0) {
            NativeRuntime.ensureLoaded();
            int n;
            try {
                n = torch.cuda_is_available() ? torch.cuda_device_count() : 0;
            } catch (RuntimeException | LinkageError e) {
                n = 0;
            }
            count = Math.max(n, 0);
        }
        return count;
    }

    private static boolean gpuBuild() {
        try {
            return NativeRuntime.resource("/org/bytedeco/pytorch/" + Loader.getPlatform() + "-gpu/") != null;
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }

    /**
     * Why CUDA-only calls fail here: the CPU build, a CUDA build that runs on its CPU natives (and
     * why), or a CUDA build that found no device.
     */
    public static String unavailableMessage() {
        if (!gpuBuild()) {
            return CPU_BUILD_MESSAGE;
        }
        String unusable = NativeRuntime.cudaUnusable();
        if (unusable != null) {
            return "CUDA is not available: jtorch runs on its CPU natives because " + unusable + " (jtorch doctor)";
        }
        return "CUDA is not available: jtorch's CUDA natives are loaded but libtorch found no usable CUDA device ("
                + (NativeCheck.driverVersion() == null
                        ? "no NVIDIA driver is loaded: /proc/driver/nvidia/version is missing"
                        : "NVIDIA driver " + NativeCheck.driverVersion() + "; CUDA_VISIBLE_DEVICES may hide the GPUs")
                + ")";
    }

    /**
     * Throws unless CUDA is available and {@code device} is one of its ordinals.
     *
     * @throws UnsupportedOperationException if CUDA is not available
     * @throws IllegalArgumentException if {@code device} is not in {@code [0, deviceCount())}
     */
    public static void checkDevice(int device) {
        requireAvailable();
        int n = deviceCount();
        if (device < 0 || device >= n) {
            throw new IllegalArgumentException("CUDA device " + device + " does not exist: this process sees "
                    + n + " CUDA device" + (n == 1 ? "" : "s") + " (0.." + (n - 1) + ")");
        }
    }

    private static void requireAvailable() {
        if (!available()) {
            throw new UnsupportedOperationException(unavailableMessage());
        }
    }

    /**
     * Blocks until all work queued on {@code device} has finished ({@code torch::cuda::synchronize}).
     *
     * @param device a CUDA ordinal, or -1 for the current device
     * @throws UnsupportedOperationException if CUDA is not available
     * @throws IllegalArgumentException if {@code device} is not a CUDA ordinal of this process
     */
    public static void synchronize(int device) {
        if (device != -1) {
            checkDevice(device);
        } else {
            requireAvailable();
        }
        try {
            torch.cuda_synchronize(device);
        } catch (RuntimeException e) {
            throw Errors.translate(e, "cuda.synchronize(" + device + ")");
        }
    }

    /**
     * The caching allocator's aggregate figures for {@code device}: allocated, reserved, peak
     * allocated, peak reserved, number of OOMs.
     *
     * @throws UnsupportedOperationException if CUDA (or its allocator bindings) is not available
     * @throws IllegalArgumentException if {@code device} is not a CUDA ordinal of this process
     */
    public static long[] memoryStats(int device) {
        checkDevice(device);
        Bindings b = bindings();
        try {
            return b.stats(device);
        } catch (RuntimeException e) {
            throw Errors.translate(e, "cuda.memoryStats(" + device + ")");
        }
    }

    /**
     * Bytes the caching allocator currently hands out on {@code device}.
     *
     * @throws UnsupportedOperationException if CUDA (or its allocator bindings) is not available
     * @throws IllegalArgumentException if {@code device} is not a CUDA ordinal of this process
     */
    public static long allocatedBytes(int device) {
        return memoryStats(device)[0];
    }

    /**
     * Resets the allocator's peak figures for {@code device} to the current ones.
     *
     * @throws UnsupportedOperationException if CUDA (or its allocator bindings) is not available
     * @throws IllegalArgumentException if {@code device} is not a CUDA ordinal of this process
     */
    public static void resetPeakStats(int device) {
        checkDevice(device);
        Bindings b = bindings();
        try {
            b.allocator.resetPeakStats((byte) device);
        } catch (RuntimeException e) {
            throw Errors.translate(e, "cuda.resetPeakStats(" + device + ")");
        }
    }

    /**
     * Returns the allocator's unused cached blocks to the driver, on every device.
     *
     * @throws UnsupportedOperationException if CUDA (or its allocator bindings) is not available
     */
    public static void emptyCache() {
        requireAvailable();
        Bindings b = bindings();
        try {
            b.allocator.emptyCache();
        } catch (RuntimeException e) {
            throw Errors.translate(e, "cuda.emptyCache()");
        }
    }

    /**
     * Caps what the allocator may reserve on {@code device} to {@code fraction} of its total memory.
     *
     * @throws UnsupportedOperationException if CUDA (or its allocator bindings) is not available
     * @throws IllegalArgumentException if {@code device} is not a CUDA ordinal or {@code fraction} is
     *     not in [0, 1]
     */
    public static void setMemoryFraction(double fraction, int device) {
        checkFraction(fraction);
        checkDevice(device);
        Bindings b = bindings();
        try {
            b.setMemoryFraction(fraction, device);
        } catch (RuntimeException e) {
            throw Errors.translate(e, "cuda.setMemoryFraction(" + fraction + ", " + device + ")");
        }
    }

    /**
     * The fraction set by {@link #setMemoryFraction} for {@code device} (1 unless changed).
     *
     * @throws UnsupportedOperationException if CUDA (or its allocator bindings) is not available
     * @throws IllegalArgumentException if {@code device} is not a CUDA ordinal of this process
     */
    public static double memoryFraction(int device) {
        checkDevice(device);
        Bindings b = bindings();
        try {
            return b.allocator.getMemoryFraction((byte) device);
        } catch (RuntimeException e) {
            throw Errors.translate(e, "cuda.memoryFraction(" + device + ")");
        }
    }

    /**
     * Checks a memory fraction as PyTorch does.
     *
     * @throws IllegalArgumentException if {@code fraction} is NaN or outside [0, 1]
     */
    public static void checkFraction(double fraction) {
        if (!(fraction >= 0 && fraction <= 1)) {
            throw new IllegalArgumentException("memory fraction must be in [0, 1], got " + fraction);
        }
    }

    /** The CUDA ordinal of a live tensor, or -1 for a closed or non-CUDA one; never throws. */
    public static int cudaDeviceOf(NativeTensor h) {
        if (h == null || h.isClosed()) {
            return -1;
        }
        org.bytedeco.pytorch.Tensor p;
        try {
            p = h.acquire();
        } catch (IllegalStateException closed) {
            return -1;
        }
        try {
            if (!p.is_cuda()) {
                return -1;
            }
            try (org.bytedeco.pytorch.Device d = p.device()) {
                return d.has_index() ? d.index() : -1;
            }
        } catch (RuntimeException e) {
            return -1;
        } finally {
            h.release();
        }
    }

    /**
     * Allocated bytes per device for the devices set in {@code mask} (bit i = device i); null when
     * they cannot be read. Never throws: used while freeing.
     */
    public static long[] allocatedQuietly(long mask) {
        if (mask == 0 || !available()) {
            return null;
        }
        try {
            Bindings b = bindings();
            long[] out = new long[64 - Long.numberOfLeadingZeros(mask)];
            for (int d = 0; d < out.length; d++) {
                if ((mask & (1L << d)) != 0) {
                    out[d] = b.stats(d)[0];
                }
            }
            return out;
        } catch (RuntimeException | LinkageError e) {
            return null;
        }
    }

    /**
     * For the first line of an out-of-memory message: the CUDA device it names (or the current
     * one), with the allocator's allocated and reserved bytes there; null for host OOMs, without
     * CUDA, or when the figures cannot be read. Never throws.
     */
    static long[] oomFigures(String message) {
        try {
            if (message.contains("DefaultCPUAllocator") || !available()) {
                return null;
            }
            Matcher m = OOM_DEVICE.matcher(message);
            int device;
            if (m.find()) {
                device = Integer.parseInt(m.group(1));
            } else if (message.contains("CUDA") || message.contains("cuda")) {
                device = bindings().currentDevice();
            } else {
                return null;
            }
            if (device < 0 || device >= deviceCount()) {
                return null;
            }
            long[] s = bindings().stats(device);
            return new long[] {device, s[0], s[1]};
        } catch (RuntimeException | LinkageError e) {
            return null;
        }
    }

    /** {@code 1.50 GiB}-style size, as in libtorch's own messages. */
    static String formatBytes(long bytes) {
        String[] units = {"bytes", "KiB", "MiB", "GiB", "TiB"};
        double v = bytes;
        int u = 0;
        while (Math.abs(v) >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return u == 0 ? bytes + " bytes" : String.format(Locale.ROOT, "%.2f %s", v, units[u]);
    }

    /**
     * Null when libtorch's CUDA allocator bindings can be used in this process, else why not (for
     * the CPU build: the missing {@code org.bytedeco:cuda} presets). Tries to link them at most once
     * per JVM; never throws.
     */
    public static String bindingProblem() {
        try {
            linkBindings();
        } catch (RuntimeException | LinkageError e) {
            return bindingProblem != null ? bindingProblem : String.valueOf(e);
        }
        return bindingProblem;
    }

    private static Bindings bindings() {
        Bindings b = bindings;
        if (b == null) {
            b = linkBindings();
            if (b == null) {
                throw new UnsupportedOperationException(available()
                        ? "CUDA devices are visible but jtorch could not use libtorch's CUDA allocator: " + bindingProblem
                        : unavailableMessage() + " (" + bindingProblem + ")");
            }
        }
        return b;
    }

    /** Links the bindings once; a failure is remembered in {@link #bindingProblem}. */
    private static synchronized Bindings linkBindings() {
        if (bindings != null || bindingProblem != null) {
            return bindings;
        }
        NativeRuntime.ensureLoaded();
        if (NativeRuntime.cudaUnusable() != null) {
            // the CPU natives have no torch_cuda; linking it would load the CUDA presets' JNI
            // libraries, whose CUDA libraries are the ones found missing
            bindingProblem = unavailableMessage();
            return null;
        }
        try {
            Bindings b = new Bindings();
            bindings = b;
            return b;
        } catch (LinkageError e) {
            bindingProblem = describe(e);
        } catch (RuntimeException e) {
            // a native failure while initialising CUDA, e.g. the driver refused: remembered too
            bindingProblem = Errors.firstLine(e.getMessage() == null ? e.toString() : e.getMessage());
        }
        return null;
    }

    private static String describe(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String what = root.getMessage() == null ? root.getClass().getName() : root.getClass().getSimpleName() + ": " + root.getMessage();
        return "the CUDA bindings of the presets could not be linked (" + what + ")";
    }

    /**
     * Everything that touches the {@code torch_cuda} presets. Only constructed when CUDA was
     * detected or when {@link #bindingProblem()} probes; on the CPU build its construction fails
     * with {@link ExceptionInInitializerError} / {@link NoClassDefFoundError}, which are caught.
     */
    private static final class Bindings {
        final CUDAAllocator allocator;

        Bindings() {
            if (available()) {
                // Sizes the caching allocator for every device (as the first CUDA tensor would):
                // before this its per-device calls fail with "Allocator not initialized".
                torch.globalContext().lazyInitDevice(DeviceType.CUDA);
            }
            CUDAAllocator a = torch_cuda.getAllocator();
            if (a == null || a.isNull()) {
                throw new IllegalStateException("c10::cuda::CUDACachingAllocator::get() returned no allocator");
            }
            this.allocator = a;
        }

        /** allocated, reserved, peak allocated, peak reserved, OOM count (aggregate pool). */
        long[] stats(int device) {
            try (DeviceStats s = allocator.getDeviceStats((byte) device)) {
                Stat allocated = s.allocated_bytes(); // StatArray[0] = StatType::AGGREGATE
                Stat reserved = s.reserved_bytes();
                return new long[] {allocated.current(), reserved.current(), allocated.peak(), reserved.peak(), s.num_ooms()};
            }
        }

        int currentDevice() {
            return torch_cuda.current_device();
        }

        /** libtorch's setter also makes {@code device} current on this thread; we restore the previous one. */
        void setMemoryFraction(double fraction, int device) {
            byte previous = torch_cuda.current_device();
            try {
                allocator.setMemoryFraction(fraction, (byte) device);
            } finally {
                if (previous != device) {
                    torch_cuda.set_device(previous);
                }
            }
        }
    }
}
