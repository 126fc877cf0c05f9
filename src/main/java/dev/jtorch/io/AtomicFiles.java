package dev.jtorch.io;

import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes files so that a reader sees either the old content or the complete new content, never a
 * half-written file: the content goes to a temp file in the same folder, is flushed to disk, and is
 * renamed over the target ({@link StandardCopyOption#ATOMIC_MOVE}).
 *
 * <p>Every file jtorch's {@code io} package writes goes through {@link #write}. A crash or an
 * exception mid-write leaves the previous file intact; the temp file (named
 * {@code .<name>.<random>.tmp}) is deleted on an exception and is the only debris a crash can
 * leave.
 */
public final class AtomicFiles {
    private static final Logger LOG = LoggerFactory.getLogger(AtomicFiles.class);

    private AtomicFiles() {}

    /**
     * Writes {@code file} atomically with what {@code body} writes to the stream it is given.
     *
     * <p>The stream is buffered; {@code body} may close it or not (closing only flushes). The
     * target's folder must exist.
     *
     * @throws NoSuchFileException if the folder does not exist
     * @throws AtomicMoveNotSupportedException if the file system cannot rename atomically (the
     *     temp file is removed and the target left untouched)
     * @throws IOException whatever {@code body} or the file system throws; the target is untouched
     */
    public static void write(Path file, IOConsumer<OutputStream> body) throws IOException {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(body, "body");
        Path target = file.toAbsolutePath();
        Path dir = target.getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            throw new NoSuchFileException(file.toString(), null, "cannot write: folder " + dir + " does not exist");
        }
        if (Files.isDirectory(target)) {
            throw new IOException(file + ": cannot write, it is a folder");
        }
        Path tmp = dir.resolve("." + target.getFileName() + "." + Long.toHexString(ThreadLocalRandom.current().nextLong())
                + ".tmp");
        boolean done = false;
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                BufferedOutputStream buffered = new BufferedOutputStream(Channels.newOutputStream(ch), 1 << 16);
                OutputStream shielded = new FilterOutputStream(buffered) {
                    @Override
                    public void write(byte[] b, int off, int len) throws IOException {
                        out.write(b, off, len); // FilterOutputStream would write byte by byte
                    }

                    @Override
                    public void close() throws IOException {
                        flush(); // the channel is closed below, after it is forced to disk
                    }
                };
                body.accept(shielded);
                buffered.flush();
                ch.force(true); // the rename must not become visible before the data
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            done = true;
            syncFolder(dir);
        } finally {
            if (!done) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException e) {
                    LOG.warn("could not remove temp file {}: {}", tmp, e.toString());
                }
            }
        }
    }

    /**
     * Writes {@code bytes} to {@code file} atomically.
     *
     * @throws IOException as {@link #write(Path, IOConsumer)}
     */
    public static void write(Path file, byte[] bytes) throws IOException {
        Objects.requireNonNull(bytes, "bytes");
        write(file, out -> out.write(bytes));
    }

    /** Makes the rename durable where the platform allows opening a folder; best effort. */
    private static void syncFolder(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | RuntimeException e) {
            LOG.debug("folder {} not synced: {}", dir, e.toString()); // e.g. not supported on Windows
        }
    }
}
