package dev.jtorch.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * A folder of images, one sub-folder per class, as torchvision's {@code ImageFolder}:
 * {@code root/cat/001.png}, {@code root/dog/xyz.jpg}, ... Classes are the sub-folders' names in
 * sorted order (label = index), images their PNG and JPEG files in sorted order; other files are
 * ignored. Each image is decoded, checked against a pixel limit before decoding, and resized to
 * the requested size, so a set of photos of any sizes becomes one in-memory {@link Dataset}
 * (random crops and flips then come from {@link DataLoader.Builder#augment}).
 *
 * <p>A data folder with {@code train/} and {@code test/} (or {@code val/}) sub-folders of this
 * layout is what {@code jtorch train --data DIR} reads as an image folder ({@link DataSets}).
 */
public final class ImageFolder {
    private ImageFolder() {}

    /**
     * Reads {@code root} into a data set of {@code channels x height x width} images.
     *
     * @param channels 1 (grey) or 3 (RGB)
     * @throws DataException naming the folder if it has no class sub-folder or no image, or naming
     *     the image at fault (not decodable, over {@link ImageFiles#DEFAULT_MAX_PIXELS} pixels)
     */
    public static Dataset load(Path root, int channels, int height, int width) {
        return load(root, channels, height, width, ImageFiles.DEFAULT_MAX_PIXELS);
    }

    /** As {@link #load(Path, int, int, int)} with a pixel limit per image. */
    public static Dataset load(Path root, int channels, int height, int width, long maxPixels) {
        List<Path> classes = classFolders(root);
        if (classes.isEmpty()) {
            throw new DataException(root, "no class folders: an image folder holds one sub-folder of PNG/JPEG images"
                    + " per class");
        }
        List<String> names = new ArrayList<>();
        List<Path> files = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        for (int c = 0; c < classes.size(); c++) {
            Path dir = classes.get(c);
            names.add(dir.getFileName().toString());
            for (Path f : list(dir)) {
                if (Files.isRegularFile(f) && isImage(f)) {
                    files.add(f);
                    labels.add(c);
                }
            }
        }
        if (files.isEmpty()) {
            throw new DataException(root, "no PNG or JPEG images in its class folders " + names);
        }
        long sample = (long) channels * height * width;
        if (files.size() * sample > Integer.MAX_VALUE - 8) {
            throw new DataException(root, files.size() + " images of " + channels + "x" + height + "x" + width
                    + " need more than 2^31 bytes, the most one in-memory data set holds");
        }
        int size = (int) sample;
        // decoded straight into place: one copy of the set in memory, never two
        byte[] pixels = new byte[files.size() * size];
        int[] y = new int[files.size()];
        for (int i = 0; i < y.length; i++) {
            System.arraycopy(ImageFiles.readResized(files.get(i), channels, height, width, maxPixels), 0, pixels,
                    i * size, size);
            y[i] = labels.get(i);
        }
        return new Dataset(root.getFileName() == null ? "images" : root.getFileName().toString(), pixels, y, channels,
                height, width, names, root, true);
    }

    /** Whether {@code dir} looks like an image folder: a sub-folder holding a PNG or JPEG file. */
    public static boolean isImageFolder(Path dir) {
        if (!Files.isDirectory(dir)) {
            return false;
        }
        for (Path c : classFolders(dir)) {
            if (list(c).stream().anyMatch(f -> Files.isRegularFile(f) && isImage(f))) {
                return true;
            }
        }
        return false;
    }

    private static boolean isImage(Path f) {
        String n = f.getFileName().toString().toLowerCase(Locale.ROOT);
        return n.endsWith(".png") || n.endsWith(".jpg") || n.endsWith(".jpeg");
    }

    private static List<Path> classFolders(Path root) {
        if (!Files.isDirectory(root)) {
            throw new DataException(root, Files.exists(root) ? "not a folder" : "no such folder");
        }
        return list(root).stream().filter(Files::isDirectory).toList();
    }

    private static List<Path> list(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> !p.getFileName().toString().startsWith(".")).sorted().toList();
        } catch (IOException e) {
            throw new DataException(dir, "cannot list the folder: " + e.getMessage(), e);
        }
    }
}
