package dev.jtorch.io;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A model file that exists and can be read but does not hold what was asked for: not a zip, a
 * missing entry, another format, a newer format version, corrupt tensor data.
 *
 * <p>The message names the file and says what was found and what is supported. It is an
 * {@link IOException}, as {@link java.util.zip.ZipException} is: the caller asked to read a file
 * and the file is not usable.
 */
public class ModelFileException extends IOException {
    private static final long serialVersionUID = 1L;

    private final transient Path file;

    /**
     * A problem with {@code file}.
     *
     * @param file the file at fault
     * @param problem what is wrong with it; the file name is prefixed to form the message
     */
    public ModelFileException(Path file, String problem) {
        this(file, problem, null);
    }

    /**
     * A problem with {@code file}, caused by {@code cause}.
     *
     * @param file the file at fault
     * @param problem what is wrong with it; the file name is prefixed to form the message
     * @param cause the underlying failure, or null
     */
    public ModelFileException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
        this.file = file;
    }

    /** The file at fault. */
    public Path file() {
        return file;
    }
}
