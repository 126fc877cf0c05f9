package dev.jtorch.train;

import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/**
 * A stand-in for Fashion-MNIST that any machine can write in a second: raw IDX files of 28x28
 * images in ten classes, each image its class's fixed pattern under heavy noise, so a model
 * learns it to a high but not perfect accuracy. The folder is named {@code fashion-mnist}, so
 * the images get Fashion-MNIST's class names ({@code "Ankle boot"}...).
 */
public final class SyntheticFashionMnist {
    private static final int SIDE = 28;
    private static final int CLASSES = 10;

    private SyntheticFashionMnist() {}

    /**
     * Writes {@code train} training and {@code test} test samples (labels cycle through the classes,
     * so each split is balanced when its size divides by ten) into {@code parent/fashion-mnist}.
     *
     * @return the data folder, for {@code --data} or {@link TrainConfig#data()}
     */
    public static Path write(Path parent, int train, int test) throws IOException {
        Path dir = Files.createDirectories(parent.resolve("fashion-mnist"));
        Random r = new Random(42);
        double[][] patterns = new double[CLASSES][SIDE * SIDE];
        for (double[] p : patterns) {
            for (int i = 0; i < p.length; i++) {
                p[i] = r.nextDouble();
            }
        }
        writeSplit(dir, "train", train, patterns, new Random(1));
        writeSplit(dir, "t10k", test, patterns, new Random(2));
        return dir;
    }

    private static void writeSplit(Path dir, String split, int n, double[][] patterns, Random r) throws IOException {
        byte[] pixels = new byte[n * SIDE * SIDE];
        byte[] labels = new byte[n];
        for (int s = 0; s < n; s++) {
            int c = s % CLASSES;
            labels[s] = (byte) c;
            double contrast = 0.3 + 0.7 * r.nextDouble();
            for (int i = 0; i < SIDE * SIDE; i++) {
                double v = 255 * (contrast * patterns[c][i] + 0.45 * r.nextGaussian());
                pixels[s * SIDE * SIDE + i] = (byte) Math.max(0, Math.min(255, Math.round(v)));
            }
        }
        try (DataOutputStream out = idx(dir.resolve(split + "-images-idx3-ubyte"), 0x803, n)) {
            out.writeInt(SIDE);
            out.writeInt(SIDE);
            out.write(pixels);
        }
        try (DataOutputStream out = idx(dir.resolve(split + "-labels-idx1-ubyte"), 0x801, n)) {
            out.write(labels);
        }
    }

    private static DataOutputStream idx(Path file, int magic, int count) throws IOException {
        OutputStream os = Files.newOutputStream(file);
        DataOutputStream out = new DataOutputStream(new java.io.BufferedOutputStream(os));
        out.writeInt(magic);
        out.writeInt(count);
        return out;
    }
}
