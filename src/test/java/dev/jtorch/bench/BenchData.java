package dev.jtorch.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * Fashion-MNIST for the benchmarks, read from the gzipped IDX files in plain Java (shared by both Java peers so
 * that they see identical inputs). Images are scaled to [0,1] float32 (pixel / 255), flattened to 784 per sample;
 * labels are int64. The training split is put in the fixed benchmark order: training sample {@code i} is original
 * sample {@code (i * 7919) mod 60000}. The test split keeps its file order.
 */
public final class BenchData {
    /** Multiplier of the fixed batch order (coprime with 60000, so it is a permutation). */
    public static final int PERM_MUL = 7919;
    public static final int PIXELS = 784;

    /** {@code n * 784} floats, row-major. */
    public final float[] images;
    /** {@code n} class labels 0..9. */
    public final long[] labels;
    public final int n;

    private BenchData(float[] images, long[] labels, int n) {
        this.images = images;
        this.labels = labels;
        this.n = n;
    }

    /** The training split in benchmark order. */
    public static BenchData train(Path dir) throws IOException {
        return load(dir.resolve("train-images-idx3-ubyte.gz"), dir.resolve("train-labels-idx1-ubyte.gz"), true);
    }

    /** The test split in file order. */
    public static BenchData test(Path dir) throws IOException {
        return load(dir.resolve("t10k-images-idx3-ubyte.gz"), dir.resolve("t10k-labels-idx1-ubyte.gz"), false);
    }

    static BenchData load(Path imageFile, Path labelFile, boolean permute) throws IOException {
        ByteBuffer img = ByteBuffer.wrap(gunzip(imageFile));   // big-endian by default
        ByteBuffer lab = ByteBuffer.wrap(gunzip(labelFile));
        if (img.remaining() < 16 || img.getInt(0) != 2051) throw new IOException(imageFile + ": not an IDX image file (magic 2051)");
        if (lab.remaining() < 8 || lab.getInt(0) != 2049) throw new IOException(labelFile + ": not an IDX label file (magic 2049)");
        int n = img.getInt(4), rows = img.getInt(8), cols = img.getInt(12);
        if (rows * cols != PIXELS) throw new IOException(imageFile + ": images are " + rows + "x" + cols + ", expected 28x28");
        if ((long) n * PIXELS + 16 != img.capacity()) throw new IOException(imageFile + ": size does not match " + n + " images");
        if (lab.getInt(4) != n) throw new IOException(labelFile + ": " + lab.getInt(4) + " labels for " + n + " images");
        if ((long) n + 8 != lab.capacity()) throw new IOException(labelFile + ": size does not match " + n + " labels");
        byte[] px = img.array(), lb = lab.array();
        float[] x = new float[n * PIXELS];
        long[] y = new long[n];
        for (int i = 0; i < n; i++) {
            int src = permute ? (int) (((long) i * PERM_MUL) % n) : i;
            int from = 16 + src * PIXELS, to = i * PIXELS;
            for (int j = 0; j < PIXELS; j++) x[to + j] = (px[from + j] & 0xff) / 255.0f;
            y[i] = lb[8 + src] & 0xff;
        }
        return new BenchData(x, y, n);
    }

    private static byte[] gunzip(Path p) throws IOException {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(p), 1 << 16)) {
            return in.readAllBytes();
        }
    }
}
