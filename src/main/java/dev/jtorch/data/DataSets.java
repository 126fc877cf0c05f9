package dev.jtorch.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds and loads the data sets jtorch trains on: a folder of MNIST-format IDX files or of CIFAR-10
 * binary batches, and the default Fashion-MNIST.
 *
 * <p>A named folder is never replaced by another data set: a missing file there is a
 * {@link DataException} naming it. Everything is read into memory ({@link Dataset}); no native
 * memory is involved.
 */
public final class DataSets {
    private static final Logger LOG = LoggerFactory.getLogger(DataSets.class);

    /** Where Debian's {@code dataset-fashion-mnist} package installs the files. */
    public static final Path SYSTEM_FASHION_MNIST = Paths.get("/usr/share/datasets/fashion-mnist");

    /** The four Fashion-MNIST files as Debian ships them, gzip-compressed. */
    public static final List<String> FASHION_MNIST_FILES = List.of("train-images-idx3-ubyte.gz",
            "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz");

    /**
     * SHA-256 of the four files of Debian's {@code dataset-fashion-mnist 0.0~git20200523.55506a9-1}
     * (also those of the zalandoresearch/fashion-mnist repository). {@code scripts/fetch-data} holds
     * the same sums.
     */
    static final Map<String, String> FASHION_MNIST_SHA256 = Map.of(
            "train-images-idx3-ubyte.gz", "b0564c3eedabfbf835052cff8503ea422014ce006caf5b757f851416ee8300c7",
            "train-labels-idx1-ubyte.gz", "0ae29f65d86684f32d1b9c85147786c547b9c6aebcaf235f0400a0cce308b056",
            "t10k-images-idx3-ubyte.gz", "cc1d090a38ace84dfa1aa66e3ada7c336ef481a96936906477e6dd344da56eaa",
            "t10k-labels-idx1-ubyte.gz", "8d3605d196f4be44669e46906da9733c8131fef761fdbfec72c424d5222f1a05");

    private static final List<String> FASHION_CLASSES = List.of("T-shirt/top", "Trouser", "Pullover", "Dress",
            "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");
    private static final List<String> DIGIT_CLASSES = List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");
    /** KMNIST's ten hiragana, romanised as in its classmap (o, ki, su, tsu, na, ha, ma, ya, re, wo). */
    private static final List<String> KMNIST_CLASSES = List.of("o", "ki", "su", "tsu", "na", "ha", "ma", "ya",
            "re", "wo");
    private static final int IDX_CLASSES = 10;

    private DataSets() {}

    /** Fashion-MNIST's class names in label order: T-shirt/top, Trouser, ..., Ankle boot. */
    public static List<String> fashionMnistClasses() {
        return FASHION_CLASSES;
    }

    /** CIFAR-10's class names in label order: airplane, automobile, ..., truck. */
    public static List<String> cifar10Classes() {
        return Cifar10.classes();
    }

    /**
     * Loads one split of the data set in {@code dir}: MNIST-format IDX files
     * ({@code train-images-idx3-ubyte[.gz]}, {@code train-labels-idx1-ubyte[.gz]}, {@code t10k-...};
     * raw preferred when both forms exist) or CIFAR-10 batches ({@code data_batch_1..5.bin},
     * {@code test_batch.bin}; also inside a {@code cifar-10-batches-bin} sub-folder).
     *
     * <p>IDX sets are named after the folder; their class names are Fashion-MNIST's when the folder
     * name contains "fashion", KMNIST's when it contains "kmnist", else the digits "0".."9"
     * ({@link Dataset#withClassNames} overrides).
     *
     * @throws DataException naming the folder when it is missing or holds neither kind (or both),
     *     or naming the file at fault: missing, corrupt, inconsistent, labels out of range, image
     *     and label counts that differ
     */
    public static Dataset load(Path dir, Split split) {
        if (!Files.exists(dir)) {
            throw new DataException(dir, "no such data folder");
        }
        if (!Files.isDirectory(dir)) {
            throw new DataException(dir, "not a folder: --data names a folder of IDX files or CIFAR-10 batches");
        }
        Path cifarSub = dir.resolve("cifar-10-batches-bin");
        boolean idx = hasIdx(dir);
        boolean cifar = hasCifar(dir);
        if (!idx && !cifar && Files.isDirectory(cifarSub) && hasCifar(cifarSub)) {
            dir = cifarSub;
            cifar = true;
        }
        if (idx && cifar) {
            throw new DataException(dir, "holds both MNIST-format IDX files and CIFAR-10 batches; use one folder per"
                    + " data set");
        }
        if (idx) {
            return loadIdx(dir, split);
        }
        if (cifar) {
            return loadCifar(dir, split);
        }
        throw new DataException(dir, "no data set here: expected MNIST-format IDX files (train-images-idx3-ubyte[.gz],"
                + " train-labels-idx1-ubyte[.gz], t10k-images-idx3-ubyte[.gz], t10k-labels-idx1-ubyte[.gz]), CIFAR-10"
                + " batches (data_batch_1.bin .. data_batch_5.bin, test_batch.bin) or train/ and test/ folders of"
                + " class folders of PNG/JPEG images");
    }

    /**
     * As {@link #load(Path, Split)}, and also reads a folder of images: {@code dir/train} and
     * {@code dir/test} (or {@code dir/val}) laid out as {@link ImageFolder}s (one sub-folder per
     * class), decoded and resized to {@code channels x height x width} (the model's input).
     * IDX and CIFAR-10 folders load as they are: their size is theirs.
     *
     * @throws DataException as {@link #load(Path, Split)}, or naming the image folder or image at fault
     */
    public static Dataset load(Path dir, Split split, int channels, int height, int width) {
        Path images = imageFolder(dir, split);
        if (images != null) {
            return ImageFolder.load(images, channels, height, width);
        }
        return load(dir, split);
    }

    /** The image folder of {@code split} under {@code dir}, or null if {@code dir} is no such layout. */
    private static Path imageFolder(Path dir, Split split) {
        if (!Files.isDirectory(dir) || hasIdx(dir) || hasCifar(dir) || !ImageFolder.isImageFolder(dir.resolve("train"))) {
            return null;
        }
        if (split == Split.TRAIN) {
            return dir.resolve("train");
        }
        for (String name : List.of("test", "val")) {
            if (ImageFolder.isImageFolder(dir.resolve(name))) {
                return dir.resolve(name);
            }
        }
        throw new DataException(dir, "an image folder needs a test/ (or val/) folder of class folders next to train/");
    }

    private static String prefix(Split split) {
        return split == Split.TRAIN ? "train" : "t10k";
    }

    private static boolean hasIdx(Path dir) {
        for (String p : List.of("train", "t10k")) {
            for (String kind : List.of("-images-idx3-ubyte", "-labels-idx1-ubyte")) {
                if (Files.exists(dir.resolve(p + kind)) || Files.exists(dir.resolve(p + kind + ".gz"))) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean hasCifar(Path dir) {
        if (Files.exists(dir.resolve("test_batch.bin"))) {
            return true;
        }
        for (int i = 1; i <= 5; i++) {
            if (Files.exists(dir.resolve("data_batch_" + i + ".bin"))) {
                return true;
            }
        }
        return false;
    }

    /** The raw file if present, else the .gz one, else the .gz name (reading it then reports it missing). */
    private static Path idxFile(Path dir, String base) {
        Path raw = dir.resolve(base);
        if (Files.exists(raw)) {
            return raw;
        }
        Path gz = dir.resolve(base + ".gz");
        if (Files.exists(gz)) {
            return gz;
        }
        throw new DataException(gz, "missing file (neither " + base + " nor " + base + ".gz is in " + dir + ")");
    }

    private static Dataset loadIdx(Path dir, Split split) {
        Path imagesFile = idxFile(dir, prefix(split) + "-images-idx3-ubyte");
        Path labelsFile = idxFile(dir, prefix(split) + "-labels-idx1-ubyte");
        Idx.Images images = Idx.readImages(imagesFile);
        int[] labels = Idx.readLabels(labelsFile, IDX_CLASSES);
        if (images.count() != labels.length) {
            throw new DataException(labelsFile, "image and label counts differ: " + labels.length + " labels, but "
                    + imagesFile.getFileName() + " holds " + images.count() + " images");
        }
        String name = dir.toAbsolutePath().normalize().getFileName() == null ? "idx"
                : dir.toAbsolutePath().normalize().getFileName().toString();
        String lower = name.toLowerCase(Locale.ROOT);
        List<String> classes = lower.contains("fashion") ? FASHION_CLASSES
                : lower.contains("kmnist") ? KMNIST_CLASSES : DIGIT_CLASSES;
        LOG.debug("loaded {} {}: {} images of {}x{} from {}", name, split, images.count(), images.rows(),
                images.cols(), dir);
        return new Dataset(name, images.pixels(), labels, 1, images.rows(), images.cols(), classes, dir, true);
    }

    private static Dataset loadCifar(Path dir, Split split) {
        List<Path> files = new ArrayList<>();
        if (split == Split.TRAIN) {
            for (int i = 1; i <= 5; i++) {
                files.add(dir.resolve("data_batch_" + i + ".bin"));
            }
        } else {
            files.add(dir.resolve("test_batch.bin"));
        }
        for (Path f : files) {
            if (!Files.exists(f)) {
                throw new DataException(f, "missing file (CIFAR-10 " + (split == Split.TRAIN
                        ? "training needs data_batch_1.bin .. data_batch_5.bin" : "testing needs test_batch.bin")
                        + " in " + dir + ")");
            }
        }
        Dataset d = Cifar10.readBatches(files, dir);
        LOG.debug("loaded cifar-10 {}: {} images from {}", split, d.size(), dir);
        return d;
    }

    /**
     * Loads the default data set: Fashion-MNIST from {@link #locateFashionMnist()}.
     *
     * @throws DataException if it is in neither place, saying how to get it
     */
    public static Dataset loadFashionMnist(Split split) {
        Path dir = locateFashionMnist().orElseThrow(() -> new DataException(fashionMnistCacheDir(),
                "Fashion-MNIST not found here nor in " + SYSTEM_FASHION_MNIST + ": run scripts/fetch-data"
                        + " (or apt-get install dataset-fashion-mnist), or pass --data DIR"));
        return load(dir, split).withClassNames(FASHION_CLASSES);
    }

    /** jtorch's cache folder for Fashion-MNIST: {@code ${XDG_CACHE_HOME:-~/.cache}/jtorch/fashion-mnist}. */
    public static Path fashionMnistCacheDir() {
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() && Paths.get(xdg).isAbsolute() ? Paths.get(xdg)
                : Paths.get(System.getProperty("user.home"), ".cache");
        return base.resolve("jtorch").resolve("fashion-mnist");
    }

    /**
     * Where Fashion-MNIST is: {@code /usr/share/datasets/fashion-mnist} if its four files are there
     * (Debian's {@code dataset-fashion-mnist}), else jtorch's cache ({@link #fashionMnistCacheDir()},
     * filled by {@code scripts/fetch-data}) if its four files are there with the expected SHA-256.
     */
    public static Optional<Path> locateFashionMnist() {
        return locateFashionMnist(SYSTEM_FASHION_MNIST, fashionMnistCacheDir(), FASHION_MNIST_SHA256);
    }

    /** {@link #locateFashionMnist()} with its places and sums given (tests). */
    static Optional<Path> locateFashionMnist(Path system, Path cache, Map<String, String> sha256) {
        if (complete(system)) {
            return Optional.of(system);
        }
        if (complete(cache)) {
            for (String f : FASHION_MNIST_FILES) {
                String actual = sha256(cache.resolve(f));
                if (!sha256.get(f).equals(actual)) {
                    LOG.warn("ignoring {}: SHA-256 {} differs from the expected {}; rerun scripts/fetch-data",
                            cache.resolve(f), actual, sha256.get(f));
                    return Optional.empty();
                }
            }
            return Optional.of(cache);
        }
        return Optional.empty();
    }

    private static boolean complete(Path dir) {
        for (String f : FASHION_MNIST_FILES) {
            if (!Files.isRegularFile(dir.resolve(f))) {
                return false;
            }
        }
        return true;
    }

    /** Lower-case hex SHA-256 of a file, or "unreadable: ..." when it cannot be read. */
    static String sha256(Path file) {
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance("SHA-256"))) {
            byte[] buf = new byte[1 << 16];
            while (in.read(buf) >= 0) {
                // the digest sees every byte
            }
            return HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest());
        } catch (IOException e) {
            return "unreadable: " + e.getMessage();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM lacks SHA-256", e);
        }
    }
}
