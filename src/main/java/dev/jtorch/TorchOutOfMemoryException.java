package dev.jtorch;

/**
 * libtorch could not allocate memory for a tensor (CUDA's caching allocator or the host).
 *
 * <p>Freeing tensors (closing scopes) and, for CUDA, emptying the cache lets the caller retry.
 */
public class TorchOutOfMemoryException extends TorchException {
    private static final long serialVersionUID = 1L;

    /** A translated out-of-memory error; see {@link TorchException#TorchException(String, String, String, Throwable)}. */
    public TorchOutOfMemoryException(String message, String nativeMessage, String detail, Throwable cause) {
        super(message, nativeMessage, detail, cause);
    }
}
