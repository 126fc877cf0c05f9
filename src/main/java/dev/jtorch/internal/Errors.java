package dev.jtorch.internal;

import dev.jtorch.TorchException;
import dev.jtorch.TorchOutOfMemoryException;

/**
 * The one place where native failures become {@link TorchException}s.
 *
 * <p>JavaCPP rethrows a C++ exception as a plain {@code RuntimeException} whose message is
 * c10's full text: the message, then "Exception raised from ..." and a C++ backtrace. Users get
 * our context plus the first line; the full text stays in {@link TorchException#detail()}.
 * A CUDA out-of-memory error also carries the caching allocator's allocated and reserved bytes
 * for the device it names (see {@link TorchOutOfMemoryException#allocatedBytes()}).
 */
public final class Errors {
    private Errors() {}

    /**
     * Translates a native failure.
     *
     * @param e what JavaCPP threw; a {@code TorchException} or a programming error passes through
     * @param context what jtorch was doing, e.g. {@code "matmul([2, 3], [4, 5])"}
     */
    public static RuntimeException translate(RuntimeException e, String context) {
        if (e instanceof TorchException || e instanceof IllegalStateException
                || e instanceof IllegalArgumentException || e instanceof NullPointerException) {
            return e;
        }
        String full = e.getMessage() == null ? e.getClass().getName() : e.getMessage();
        String first = firstLine(full);
        String message = context + ": " + first;
        if (isOutOfMemory(full)) {
            long[] cuda = NativeCuda.oomFigures(first); // null for host OOMs and without CUDA
            if (cuda != null) {
                message += " [cuda:" + cuda[0] + " caching allocator: " + NativeCuda.formatBytes(cuda[1])
                        + " allocated, " + NativeCuda.formatBytes(cuda[2]) + " reserved]";
                return new TorchOutOfMemoryException(message, first, full, e, (int) cuda[0], cuda[1], cuda[2]);
            }
            return new TorchOutOfMemoryException(message, first, full, e);
        }
        return new TorchException(message, first, full, e);
    }

    /** The first meaningful line of a c10 message (never the backtrace). */
    static String firstLine(String full) {
        String s = full.strip();
        int cut = s.indexOf("Exception raised from");
        if (cut >= 0) {
            s = s.substring(0, cut).strip();
        }
        int nl = s.indexOf('\n');
        String line = (nl >= 0 ? s.substring(0, nl) : s).strip();
        return line.isEmpty() ? "native error" : line;
    }

    private static boolean isOutOfMemory(String full) {
        return full.contains("out of memory") || full.contains("OutOfMemoryError")
                || full.contains("DefaultCPUAllocator: can't allocate memory");
    }
}
