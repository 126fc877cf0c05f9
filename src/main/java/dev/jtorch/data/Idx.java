package dev.jtorch.data;

import java.nio.file.Path;
import java.util.Arrays;

/**
 * Reads MNIST-format IDX files (MNIST, Fashion-MNIST, KMNIST), raw or gzip-compressed.
 *
 * <p>Format: big-endian int32 magic 2051 then count, rows, cols, then {@code count*rows*cols}
 * unsigned pixel bytes (images); magic 2049 then count, then {@code count} unsigned bytes (labels).
 * The file must be exactly that long. Whether a file is gzip is decided by its first two bytes,
 * not by its name. Java code, not the presets' native MNIST reader, whose iterator crashes on Linux.
 */
public final class Idx {
    /** Magic number of an IDX images file (unsigned byte, 3 dimensions). */
    public static final int IMAGES_MAGIC = 2051;
    /** Magic number of an IDX labels file (unsigned byte, 1 dimension). */
    public static final int LABELS_MAGIC = 2049;

    private Idx() {}

    /**
     * The images of an IDX images file.
     *
     * @param file where they came from
     * @param count number of images
     * @param rows image height
     * @param cols image width
     * @param pixels {@code count*rows*cols} bytes read as 0..255, row-major; a fresh array the caller owns
     */
    public record Images(Path file, int count, int rows, int cols, byte[] pixels) {}

    /**
     * Reads an IDX images file.
     *
     * @throws DataException naming the file: missing, bad gzip, wrong magic, or a payload shorter or
     *     longer than the header's {@code count*rows*cols}
     */
    public static Images readImages(Path file) {
        byte[] d = DataFiles.read(file);
        checkMagic(file, d, IMAGES_MAGIC, "images");
        if (d.length < 16) {
            throw new DataException(file, "IDX images header cut short: " + d.length + " bytes, the header needs 16");
        }
        int count = DataFiles.bigEndianInt(d, 4);
        int rows = DataFiles.bigEndianInt(d, 8);
        int cols = DataFiles.bigEndianInt(d, 12);
        if (count < 0 || rows <= 0 || cols <= 0) {
            throw new DataException(file, "IDX images header has impossible sizes: count=" + count + " rows=" + rows
                    + " cols=" + cols);
        }
        long payload = (long) count * rows * cols;
        long have = d.length - 16L;
        String says = "the header says " + count + " images of " + rows + "x" + cols + " = " + payload + " bytes";
        if (have < payload) {
            throw new DataException(file, "payload shorter than the header says: " + says + ", the file holds "
                    + have + " (truncated?)");
        }
        if (have > payload) {
            throw new DataException(file, "header sizes disagree with the payload: " + says + ", but "
                    + (have - payload) + " extra bytes follow");
        }
        return new Images(file, count, rows, cols, Arrays.copyOfRange(d, 16, d.length));
    }

    /**
     * Reads an IDX labels file, each label a class index below {@code numClasses}.
     *
     * @return one label per sample, 0..numClasses-1
     * @throws DataException naming the file: missing, bad gzip, wrong magic, a payload that disagrees
     *     with the header's count, or a label outside the class range (its index and value named)
     */
    public static int[] readLabels(Path file, int numClasses) {
        byte[] d = DataFiles.read(file);
        checkMagic(file, d, LABELS_MAGIC, "labels");
        if (d.length < 8) {
            throw new DataException(file, "IDX labels header cut short: " + d.length + " bytes, the header needs 8");
        }
        int count = DataFiles.bigEndianInt(d, 4);
        if (count < 0) {
            throw new DataException(file, "IDX labels header has an impossible count " + count);
        }
        long have = d.length - 8L;
        if (have < count) {
            throw new DataException(file, "payload shorter than the header says: the header says " + count
                    + " labels, the file holds " + have + " (truncated?)");
        }
        if (have > count) {
            throw new DataException(file, "header sizes disagree with the payload: the header says " + count
                    + " labels, but " + (have - count) + " extra bytes follow");
        }
        int[] labels = new int[count];
        for (int i = 0; i < count; i++) {
            int v = d[8 + i] & 0xFF;
            if (v >= numClasses) {
                throw new DataException(file, "label " + v + " at index " + i + " is outside the " + numClasses
                        + " classes 0.." + (numClasses - 1));
            }
            labels[i] = v;
        }
        return labels;
    }

    private static void checkMagic(Path file, byte[] d, int expected, String kind) {
        if (d.length < 4) {
            throw new DataException(file, "too short for an IDX header (" + d.length + " bytes)");
        }
        int magic = DataFiles.bigEndianInt(d, 0);
        if (magic == expected) {
            return;
        }
        String what = magic == IMAGES_MAGIC ? " (that of an IDX images file)"
                : magic == LABELS_MAGIC ? " (that of an IDX labels file)" : "";
        throw new DataException(file, String.format("wrong magic number %d = 0x%08x%s, expected %d for IDX %s",
                magic, magic, what, expected, kind));
    }
}
