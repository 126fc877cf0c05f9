package dev.jtorch;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What the {@code *FuzzTest} classes share (see docs/fuzzing.md): the input cap and a scratch
 * folder for the readers that only take a file.
 *
 * <p>Each fuzz target asserts the readers' contract: a call returns a valid result or throws one
 * of its documented exceptions (ModelFileException and other IOExceptions for model files,
 * DataException for data files). Anything else escapes the target and is a Jazzer finding:
 * NullPointerException, ArithmeticException, IndexOutOfBoundsException, ClassCastException,
 * OutOfMemoryError, StackOverflowError, a raw RuntimeException out of libtorch.
 */
public final class FuzzSupport {
    /**
     * Inputs above this are skipped (not failed), so that one iteration stays cheap. Every reader
     * fuzzed here handles files of any size the same way; large ones only cost time.
     */
    public static final int MAX_INPUT = 256 << 10;

    private static Path scratch;

    private FuzzSupport() {}

    /**
     * {@code data} written to {@code name} in this JVM's scratch folder (deleted on exit), the
     * same file overwritten on every iteration: the file readers open paths, and a fresh temp file
     * per input would cost more than the parse.
     */
    public static synchronized Path write(String name, byte[] data) {
        try {
            if (scratch == null) {
                scratch = Files.createTempDirectory("jtorch-fuzz");
                scratch.toFile().deleteOnExit();
            }
            Path file = scratch.resolve(name);
            Files.write(file, data);
            file.toFile().deleteOnExit();
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Whether the input is over {@link #MAX_INPUT} and should be skipped. */
    public static boolean tooLarge(byte[] data) {
        return data.length > MAX_INPUT;
    }
}
