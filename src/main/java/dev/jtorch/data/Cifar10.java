package dev.jtorch.data;

import java.nio.file.Path;
import java.util.List;

/**
 * Reads CIFAR-10 binary batches ({@code data_batch_1.bin} .. {@code data_batch_5.bin},
 * {@code test_batch.bin}).
 *
 * <p>Each record is 1 label byte (0..9) then 3072 pixel bytes: the 32x32 red plane, then green,
 * then blue, each row-major; that is already the {@code C x H x W} layout of {@link Dataset}. The
 * published files hold 10,000 records each; any whole number of records is accepted (small test
 * fixtures), a partial record is not.
 */
public final class Cifar10 {
    /** Bytes per record: the label byte and 3 x 32 x 32 pixels. */
    public static final int RECORD_BYTES = 1 + 3 * 32 * 32;

    private static final List<String> CLASSES = List.of("airplane", "automobile", "bird", "cat", "deer", "dog",
            "frog", "horse", "ship", "truck");

    private Cifar10() {}

    /** The ten class names in label order: airplane, automobile, bird, cat, deer, dog, frog, horse, ship, truck. */
    public static List<String> classes() {
        return CLASSES;
    }

    /**
     * Reads one binary batch as a data set named {@code cifar-10}.
     *
     * @throws DataException naming the file: missing, empty, a length that is not a whole number of
     *     3073-byte records, or a label above 9 (its record named)
     */
    public static Dataset readBatch(Path file) {
        byte[] d = DataFiles.read(file);
        return fromRecords(file, d, file);
    }

    /** Several batches joined in order (the five training batches). */
    static Dataset readBatches(List<Path> files, Path source) {
        byte[][] parts = new byte[files.size()][];
        long total = 0;
        for (int i = 0; i < parts.length; i++) {
            parts[i] = DataFiles.read(files.get(i));
            check(files.get(i), parts[i]);
            total += parts[i].length;
        }
        if (total > Integer.MAX_VALUE - 64) {
            throw new DataException(source, "CIFAR-10 batches too large to hold in one array (" + total + " bytes)");
        }
        byte[] all = new byte[(int) total];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, all, at, p.length);
            at += p.length;
        }
        // Labels are checked per file so that the message names the right one.
        int base = 0;
        for (int f = 0; f < parts.length; f++) {
            checkLabels(files.get(f), parts[f]);
            base += parts[f].length / RECORD_BYTES;
        }
        return split(source, all, base);
    }

    private static Dataset fromRecords(Path file, byte[] d, Path source) {
        check(file, d);
        checkLabels(file, d);
        return split(source, d, d.length / RECORD_BYTES);
    }

    private static void check(Path file, byte[] d) {
        if (d.length == 0) {
            throw new DataException(file, "empty file, expected CIFAR-10 records of " + RECORD_BYTES + " bytes");
        }
        if (d.length % RECORD_BYTES != 0) {
            int whole = d.length / RECORD_BYTES;
            throw new DataException(file, "length " + d.length + " is not a whole number of " + RECORD_BYTES
                    + "-byte CIFAR-10 records (label byte + 3072 pixels): " + whole + " records and "
                    + (d.length - whole * RECORD_BYTES) + " bytes left over (truncated or not a CIFAR-10 batch?)");
        }
    }

    private static void checkLabels(Path file, byte[] d) {
        for (int r = 0, n = d.length / RECORD_BYTES; r < n; r++) {
            int v = d[r * RECORD_BYTES] & 0xFF;
            if (v >= CLASSES.size()) {
                throw new DataException(file, "label " + v + " of record " + r + " is outside the "
                        + CLASSES.size() + " classes 0.." + (CLASSES.size() - 1));
            }
        }
    }

    private static Dataset split(Path source, byte[] d, int n) {
        int s = RECORD_BYTES - 1;
        byte[] pixels = new byte[n * s];
        int[] labels = new int[n];
        for (int r = 0; r < n; r++) {
            labels[r] = d[r * RECORD_BYTES] & 0xFF;
            System.arraycopy(d, r * RECORD_BYTES + 1, pixels, r * s, s);
        }
        return new Dataset("cifar-10", pixels, labels, 3, 32, 32, CLASSES, source, true);
    }
}
