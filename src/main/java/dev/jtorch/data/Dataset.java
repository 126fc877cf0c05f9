package dev.jtorch.data;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * An immutable, in-memory labelled image set: uint8 pixels laid out {@code N x C x H x W}
 * (row-major, channel planes), one int label per sample, and the class names.
 *
 * <p>Pixels stay bytes (a quarter of float32's memory, 47 MB for Fashion-MNIST's training set);
 * {@link DataLoader} scales them to [0,1] floats batch by batch. No native memory is held, so there
 * is nothing to close. Accessors never expose the internal arrays: {@link #pixels()} is a read-only
 * view, {@link #labels()} and {@link #image(int)} are copies.
 */
public final class Dataset {
    private final String name;
    private final byte[] pixels;
    private final int[] labels;
    private final int channels;
    private final int height;
    private final int width;
    private final List<String> classNames;
    private final Path source;

    /**
     * A data set over copies of {@code pixels} and {@code labels}.
     *
     * @param name a short name for messages and logs ("fashion-mnist")
     * @param pixels {@code labels.length * channels * height * width} bytes, read as 0..255
     * @param labels class indices in {@code [0, classNames.size())}
     * @param source the folder or file it was read from, or null
     * @throws IllegalArgumentException if the sizes disagree or a label is out of range
     */
    public Dataset(String name, byte[] pixels, int[] labels, int channels, int height, int width,
                   List<String> classNames, Path source) {
        this(name, pixels.clone(), labels.clone(), channels, height, width, List.copyOf(classNames), source, true);
    }

    /** Takes ownership of the arrays (the readers' path: no second copy of 47 MB). */
    Dataset(String name, byte[] pixels, int[] labels, int channels, int height, int width,
            List<String> classNames, Path source, boolean owned) {
        this.name = Objects.requireNonNull(name, "name");
        this.pixels = Objects.requireNonNull(pixels, "pixels");
        this.labels = Objects.requireNonNull(labels, "labels");
        this.classNames = List.copyOf(classNames);
        this.source = source;
        if (channels <= 0 || height <= 0 || width <= 0) {
            throw new IllegalArgumentException(name + ": image size must be positive, got channels=" + channels
                    + " height=" + height + " width=" + width);
        }
        this.channels = channels;
        this.height = height;
        this.width = width;
        long expected = (long) labels.length * channels * height * width;
        if (expected != pixels.length) {
            throw new IllegalArgumentException(name + ": " + labels.length + " samples of " + channels + "x" + height
                    + "x" + width + " need " + expected + " pixel bytes, got " + pixels.length);
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= this.classNames.size()) {
                throw new IllegalArgumentException(name + ": label " + labels[i] + " of sample " + i
                        + " is outside the " + this.classNames.size() + " classes 0.." + (this.classNames.size() - 1));
            }
        }
    }

    /** The data set's short name, e.g. {@code fashion-mnist} or {@code cifar-10}. */
    public String name() {
        return name;
    }

    /** Number of samples. */
    public int size() {
        return labels.length;
    }

    /** Channels per image (1 for MNIST-format, 3 for CIFAR-10). */
    public int channels() {
        return channels;
    }

    /** Image height in pixels. */
    public int height() {
        return height;
    }

    /** Image width in pixels. */
    public int width() {
        return width;
    }

    /** Bytes per sample: {@code channels * height * width}. */
    public int sampleSize() {
        return channels * height * width;
    }

    /** The class names, index = label. */
    public List<String> classNames() {
        return classNames;
    }

    /** Number of classes. */
    public int numClasses() {
        return classNames.size();
    }

    /** The folder or file this set was read from, or null if it was built in memory. */
    public Path source() {
        return source;
    }

    /** The label of sample {@code i}. */
    public int label(int i) {
        Objects.checkIndex(i, labels.length);
        return labels[i];
    }

    /** A copy of all labels. */
    public int[] labels() {
        return labels.clone();
    }

    /**
     * A read-only view of all pixels, {@code N x C x H x W} unsigned bytes (mask with {@code 0xFF}).
     */
    public ByteBuffer pixels() {
        return ByteBuffer.wrap(pixels).asReadOnlyBuffer();
    }

    /** A copy of sample {@code i}'s {@code C x H x W} pixels. */
    public byte[] image(int i) {
        Objects.checkIndex(i, labels.length);
        int s = sampleSize();
        return Arrays.copyOfRange(pixels, i * s, (i + 1) * s);
    }

    /** The first {@code n} samples (all of them if {@code n >= size()}), in order; {@code --limit}. */
    public Dataset head(int n) {
        if (n < 0) {
            throw new IllegalArgumentException(name + ": head(" + n + ") needs n >= 0");
        }
        return slice(0, Math.min(n, size()));
    }

    /**
     * Samples {@code from} (inclusive) to {@code to} (exclusive), in order.
     *
     * @throws IndexOutOfBoundsException if not {@code 0 <= from <= to <= size()}
     */
    public Dataset slice(int from, int to) {
        Objects.checkFromToIndex(from, to, labels.length);
        if (from == 0 && to == labels.length) {
            return this;
        }
        int s = sampleSize();
        return new Dataset(name, Arrays.copyOfRange(pixels, from * s, to * s), Arrays.copyOfRange(labels, from, to),
                channels, height, width, classNames, source, true);
    }

    /** The same samples under other class names (same count). */
    public Dataset withClassNames(List<String> names) {
        if (names.size() != classNames.size()) {
            throw new IllegalArgumentException(name + ": " + names.size() + " class names given for "
                    + classNames.size() + " classes");
        }
        return new Dataset(name, pixels, labels, channels, height, width, names, source, true);
    }

    /** The backing pixel array, for this package's loader (never modified). */
    byte[] pixelArray() {
        return pixels;
    }

    /** The backing label array, for this package's loader (never modified). */
    int[] labelArray() {
        return labels;
    }

    @Override
    public String toString() {
        return "Dataset(" + name + ", " + size() + " x " + channels + "x" + height + "x" + width + ", "
                + classNames.size() + " classes" + (source == null ? "" : ", " + source) + ")";
    }
}
