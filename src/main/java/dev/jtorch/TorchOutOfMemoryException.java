package dev.jtorch;

/**
 * libtorch could not allocate memory for a tensor (CUDA's caching allocator or the host).
 *
 * <p>Freeing tensors (closing scopes) and, for CUDA, emptying the cache
 * ({@code dev.jtorch.cuda.Cuda.emptyCache()}) lets the caller retry. For CUDA the allocator's
 * figures at the time are attached ({@link #allocatedBytes()}, {@link #reservedBytes()}) and
 * appended to the message; they are -1 for host memory.
 */
public class TorchOutOfMemoryException extends TorchException {
    private static final long serialVersionUID = 1L;

    private final int cudaDevice;
    private final long allocatedBytes;
    private final long reservedBytes;

    /** A translated out-of-memory error; see {@link TorchException#TorchException(String, String, String, Throwable)}. */
    public TorchOutOfMemoryException(String message, String nativeMessage, String detail, Throwable cause) {
        this(message, nativeMessage, detail, cause, -1, -1, -1);
    }

    /**
     * A translated CUDA out-of-memory error with the caching allocator's figures at the time.
     *
     * @param cudaDevice the CUDA ordinal that ran out, or -1 if unknown
     * @param allocatedBytes bytes the allocator had handed out on that device, or -1 if unknown
     * @param reservedBytes bytes the allocator held from the driver on that device, or -1 if unknown
     */
    public TorchOutOfMemoryException(String message, String nativeMessage, String detail, Throwable cause,
                                     int cudaDevice, long allocatedBytes, long reservedBytes) {
        super(message, nativeMessage, detail, cause);
        this.cudaDevice = cudaDevice;
        this.allocatedBytes = allocatedBytes;
        this.reservedBytes = reservedBytes;
    }

    /** The CUDA device that ran out of memory, or null for host memory or when unknown. */
    public Device device() {
        return cudaDevice >= 0 ? Device.cuda(cudaDevice) : null;
    }

    /** Bytes the CUDA caching allocator had allocated on {@link #device()} when this was thrown; -1 if unknown. */
    public long allocatedBytes() {
        return allocatedBytes;
    }

    /** Bytes the CUDA caching allocator had reserved from the driver on {@link #device()}; -1 if unknown. */
    public long reservedBytes() {
        return reservedBytes;
    }
}
