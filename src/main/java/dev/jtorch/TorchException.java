package dev.jtorch;

/**
 * A failure reported by libtorch, or a jtorch check that guards a libtorch call.
 *
 * <p>The message is jtorch's context (the op, the shapes) followed by the first line of libtorch's
 * own message; {@link #detail()} keeps libtorch's full text, C++ backtrace included, for bug
 * reports. The library and the JVM stay usable after it is thrown.
 */
public class TorchException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String nativeMessage;
    private final String detail;

    /** An error raised by jtorch itself, with no native message behind it. */
    public TorchException(String message) {
        this(message, null, null, null);
    }

    /**
     * A translated native error.
     *
     * @param message the full message shown to users (context and first native line)
     * @param nativeMessage the first line of libtorch's message, or null
     * @param detail libtorch's complete text, or null
     * @param cause the exception JavaCPP raised, or null
     */
    public TorchException(String message, String nativeMessage, String detail, Throwable cause) {
        super(message, cause);
        this.nativeMessage = nativeMessage;
        this.detail = detail;
    }

    /** The first line of libtorch's message, or null if the error came from jtorch. */
    public String nativeMessage() {
        return nativeMessage;
    }

    /** libtorch's complete message including its C++ backtrace, or null. */
    public String detail() {
        return detail;
    }
}
