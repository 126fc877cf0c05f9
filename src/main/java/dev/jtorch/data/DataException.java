package dev.jtorch.data;

import java.nio.file.Path;

/**
 * A data file or folder that cannot be used: missing, truncated, corrupt, or inconsistent with its
 * own header or with its companion file.
 *
 * <p>The message is one line, {@code "<file>: <what is wrong>"}, fit to show a user as it is;
 * {@link #file()} is the file (or folder) at fault. Unchecked, like jtorch's other errors: a bad
 * data file is not something a caller can repair on the spot.
 */
public class DataException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient Path file;

    /** An error about {@code file}; the message becomes {@code "<file>: <problem>"}. */
    public DataException(Path file, String problem) {
        this(file, problem, null);
    }

    /** An error about {@code file} caused by {@code cause} (an I/O error, say). */
    public DataException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
        this.file = file;
    }

    /** The file or folder at fault. */
    public Path file() {
        return file;
    }
}
