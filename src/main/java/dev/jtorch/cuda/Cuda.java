package dev.jtorch.cuda;

import dev.jtorch.Device;
import dev.jtorch.internal.NativeCuda;

/**
 * CUDA devices and libtorch's caching allocator: the memory the JVM's garbage collector never sees.
 *
 * <pre>{@code
 * if (Cuda.isAvailable()) {
 *     Cuda.resetPeakStats(0);
 *     try (TensorScope s = TensorScope.open()) { ... }      // tensors on Device.cuda(0)
 *     System.out.println(Cuda.memoryStats(0));              // allocated back to the baseline
 *     Cuda.emptyCache();                                    // return cached blocks to the driver
 * }
 * }</pre>
 *
 * <p><b>Without CUDA</b> (the CPU build, or a CUDA build on a machine without a usable device)
 * every call answers cleanly, never with a {@link LinkageError}: {@link #isAvailable()} is false,
 * {@link #deviceCount()} is 0, the calls that name no device ({@link #synchronize()},
 * {@link #emptyCache()}) do nothing, since there is no work to wait for and no cache to empty, so
 * portable code may call them unconditionally; every call that names a device or reads the
 * allocator throws {@link UnsupportedOperationException} with the message
 * "CUDA is not available: this is the CPU build of jtorch; build with -Pcuda" (or, on a CUDA
 * build, why no device was found).
 *
 * <p>Device arguments are CUDA ordinals, checked before any native call. The figures are
 * process-wide per device, like PyTorch's {@code torch.cuda.memory_allocated}. A CUDA
 * out-of-memory error surfaces as {@link dev.jtorch.TorchOutOfMemoryException} carrying the
 * allocator's figures; free tensors (close scopes), call {@link #emptyCache()} and retry.
 * {@link dev.jtorch.tensor.TensorScope#freedDeviceBytes()} tells what one scope gave back.
 */
public final class Cuda {
    private Cuda() {}

    /** Whether this process can use a CUDA device (false on the CPU build); detected once per JVM. */
    public static boolean isAvailable() {
        return NativeCuda.available();
    }

    /**
     * Why CUDA cannot be used in this process, in one line: the CPU build, a CUDA build running on its
     * CPU natives because CUDA's libraries are missing ({@code jtorch doctor} lists them), or no
     * device; null when CUDA is available.
     */
    public static String unavailableReason() {
        return NativeCuda.available() ? null : NativeCuda.unavailableMessage();
    }

    /**
     * Refuses a CUDA device when this process has none; the one check every command that runs a
     * model ({@code train}, {@code eval}, {@code serve}) makes, so they fail alike.
     *
     * @return {@code device}
     * @throws IllegalArgumentException naming {@code --device} and the device if it is CUDA and
     *     CUDA is not available
     */
    public static Device requireAvailable(Device device) {
        if (device.isCuda() && !isAvailable()) {
            throw new IllegalArgumentException("--device " + device + ": " + unavailableReason());
        }
        return device;
    }

    /** Number of CUDA devices libtorch sees; 0 on the CPU build or without a usable driver. */
    public static int deviceCount() {
        return NativeCuda.deviceCount();
    }

    /**
     * Blocks until every kernel queued on the current CUDA device has finished; does nothing
     * without CUDA.
     *
     * <p>CUDA kernels run asynchronously: time GPU work only after this call.
     */
    public static void synchronize() {
        if (NativeCuda.available()) {
            NativeCuda.synchronize(-1);
        }
    }

    /**
     * Blocks until every kernel queued on {@code device} has finished.
     *
     * @throws UnsupportedOperationException if CUDA is not available
     * @throws IllegalArgumentException if {@code device} is not in {@code [0, deviceCount())}
     */
    public static void synchronize(int device) {
        NativeCuda.checkDevice(device);
        NativeCuda.synchronize(device);
    }

    /**
     * The caching allocator's current and peak figures for {@code device}.
     *
     * @throws UnsupportedOperationException if CUDA is not available
     * @throws IllegalArgumentException if {@code device} is not in {@code [0, deviceCount())}
     */
    public static MemoryStats memoryStats(int device) {
        long[] s = NativeCuda.memoryStats(device);
        return new MemoryStats(device, s[0], s[1], s[2], s[3], s[4]);
    }

    /**
     * Bytes currently allocated to tensors on {@code device} ({@code torch.cuda.memory_allocated}).
     *
     * @throws UnsupportedOperationException if CUDA is not available
     * @throws IllegalArgumentException if {@code device} is not in {@code [0, deviceCount())}
     */
    public static long allocatedBytes(int device) {
        return NativeCuda.memoryStats(device)[0];
    }

    /**
     * Bytes the allocator currently holds from the driver on {@code device}, allocated or cached
     * ({@code torch.cuda.memory_reserved}).
     *
     * @throws UnsupportedOperationException if CUDA is not available
     * @throws IllegalArgumentException if {@code device} is not in {@code [0, deviceCount())}
     */
    public static long reservedBytes(int device) {
        return NativeCuda.memoryStats(device)[1];
    }

    /**
     * The most bytes ever allocated on {@code device} since start or the last
     * {@link #resetPeakStats} ({@code torch.cuda.max_memory_allocated}).
     *
     * @throws UnsupportedOperationException if CUDA is not available
     * @throws IllegalArgumentException if {@code device} is not in {@code [0, deviceCount())}
     */
    public static long peakAllocatedBytes(int device) {
        return NativeCuda.memoryStats(device)[2];
    }

    /**
     * Resets the peak figures of {@code device} to the current ones
     * ({@code torch.cuda.reset_peak_memory_stats}).
     *
     * @throws UnsupportedOperationException if CUDA is not available
     * @throws IllegalArgumentException if {@code device} is not in {@code [0, deviceCount())}
     */
    public static void resetPeakStats(int device) {
        NativeCuda.resetPeakStats(device);
    }

    /**
     * Returns the allocator's cached, unused blocks on every device to the driver
     * ({@code torch.cuda.empty_cache}); does nothing without CUDA.
     *
     * <p>Memory held by live tensors stays allocated: close their scopes first.
     */
    public static void emptyCache() {
        if (NativeCuda.available()) {
            NativeCuda.emptyCache();
        }
    }

    /**
     * Caps the memory the allocator may reserve on {@code device} at {@code fraction} of the
     * device's total; an allocation beyond it fails as out-of-memory
     * ({@code torch.cuda.set_per_process_memory_fraction}). The calling thread's current device is
     * left unchanged.
     *
     * @throws IllegalArgumentException if {@code fraction} is not in [0, 1], or {@code device} is not
     *     in {@code [0, deviceCount())}
     * @throws UnsupportedOperationException if CUDA is not available
     */
    public static void setMemoryFraction(double fraction, int device) {
        NativeCuda.setMemoryFraction(fraction, device);
    }

    /**
     * The cap set by {@link #setMemoryFraction} for {@code device}; 1 unless changed.
     *
     * @throws UnsupportedOperationException if CUDA is not available
     * @throws IllegalArgumentException if {@code device} is not in {@code [0, deviceCount())}
     */
    public static double memoryFraction(int device) {
        return NativeCuda.memoryFraction(device);
    }
}
