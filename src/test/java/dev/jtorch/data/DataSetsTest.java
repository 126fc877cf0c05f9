package dev.jtorch.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataSetsTest {
    @TempDir
    Path tmp;

    @Test
    void loadsIdxFoldersRawAndGzip() {
        for (String dir : List.of("fashion-mnist-raw", "fashion-mnist-gz")) {
            Dataset train = DataSets.load(TestData.file(dir), Split.TRAIN);
            Dataset test = DataSets.load(TestData.file(dir), Split.TEST);
            assertEquals(dir, train.name());
            assertEquals(5, train.size());
            assertEquals(1, train.channels());
            assertEquals(28, train.height());
            assertEquals(28, train.width());
            assertEquals(DataSets.fashionMnistClasses(), train.classNames());
            assertEquals(TestData.file(dir), train.source());
            assertArrayEquals(TestData.ints(TestData.expected().get("train").get("labels")), train.labels());
            assertArrayEquals(TestData.ints(TestData.expected().get("t10k").get("labels")), test.labels());
        }
        assertArrayEquals(DataSets.load(TestData.file("fashion-mnist-raw"), Split.TRAIN).image(3),
                DataSets.load(TestData.file("fashion-mnist-gz"), Split.TRAIN).image(3));
    }

    @Test
    void classNamesFollowTheFolderName() throws IOException {
        Path mnist = copyIdx("mnist");
        Path kmnist = copyIdx("kmnist");
        assertEquals(List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9"),
                DataSets.load(mnist, Split.TEST).classNames());
        assertEquals("o", DataSets.load(kmnist, Split.TEST).classNames().get(0));
        assertEquals(List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker",
                "Bag", "Ankle boot"), DataSets.fashionMnistClasses());
    }

    private Path copyIdx(String name) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve(name));
        try (var files = Files.list(TestData.file("fashion-mnist-gz"))) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Files.copy(f, dir.resolve(f.getFileName()));
            }
        }
        return dir;
    }

    @Test
    void loadsCifarTestAndTheFiveTrainingBatchesInOrder() throws IOException {
        Dataset test = DataSets.load(TestData.file("cifar-10"), Split.TEST);
        assertEquals(5, test.size());
        assertEquals(3, test.channels());
        assertEquals(DataSets.cifar10Classes(), test.classNames());

        Path dir = Files.createDirectories(tmp.resolve("cifar-10-batches-bin"));
        byte[] batch = Files.readAllBytes(TestData.file("cifar-10/test_batch.bin"));
        for (int i = 1; i <= 5; i++) {
            byte[] b = batch.clone();
            b[0] = (byte) (i - 1); // label of each file's first record tells the files apart
            Files.write(dir.resolve("data_batch_" + i + ".bin"), b);
        }
        // A folder holding the usual cifar-10-batches-bin sub-folder works too.
        Dataset train = DataSets.load(tmp, Split.TRAIN);
        assertEquals(25, train.size());
        assertEquals(dir, train.source());
        for (int i = 0; i < 5; i++) {
            assertEquals(i, train.label(5 * i));
            assertArrayEquals(test.image(2), train.image(5 * i + 2));
        }
    }

    @Test
    void locatePrefersTheSystemFolderThenAVerifiedCache() throws IOException {
        Path system = tmp.resolve("system");
        Path cache = tmp.resolve("cache");
        Map<String, String> sums = new HashMap<>();
        assertEquals(Optional.empty(), DataSets.locateFashionMnist(system, cache, sums));

        Files.createDirectories(cache);
        for (String f : DataSets.FASHION_MNIST_FILES) {
            Files.copy(TestData.file("fashion-mnist-gz/" + f), cache.resolve(f));
            sums.put(f, DataSets.sha256(cache.resolve(f)));
        }
        assertEquals(Optional.of(cache), DataSets.locateFashionMnist(system, cache, sums));
        // The published sums reject these small fixtures: a cache is used only when verified.
        assertEquals(Optional.empty(), DataSets.locateFashionMnist(system, cache, DataSets.FASHION_MNIST_SHA256));
        Files.write(cache.resolve("t10k-labels-idx1-ubyte.gz"), new byte[] {1, 2, 3});
        assertEquals(Optional.empty(), DataSets.locateFashionMnist(system, cache, sums));

        Files.createDirectories(system);
        for (String f : DataSets.FASHION_MNIST_FILES.subList(0, 3)) {
            Files.copy(TestData.file("fashion-mnist-gz/" + f), system.resolve(f));
        }
        assertEquals(Optional.empty(), DataSets.locateFashionMnist(system, cache, sums), "incomplete system folder");
        Files.copy(TestData.file("fashion-mnist-gz/t10k-labels-idx1-ubyte.gz"), system.resolve("t10k-labels-idx1-ubyte.gz"));
        assertEquals(Optional.of(system), DataSets.locateFashionMnist(system, cache, sums));
    }

    @Test
    void cacheFolderFollowsXdg() {
        Path dir = DataSets.fashionMnistCacheDir();
        assertTrue(dir.endsWith(Path.of("jtorch", "fashion-mnist")), dir.toString());
        String xdg = System.getenv("XDG_CACHE_HOME");
        if (xdg != null && Path.of(xdg).isAbsolute()) {
            assertEquals(Path.of(xdg, "jtorch", "fashion-mnist"), dir);
        } else {
            assertEquals(Path.of(System.getProperty("user.home"), ".cache", "jtorch", "fashion-mnist"), dir);
        }
    }

    /**
     * The real data set wherever this machine has it (Debian's dataset-fashion-mnist, which CI
     * installs, or scripts/fetch-data's cache); on a machine with neither, the error that says how
     * to get it. Never skipped.
     */
    @Test
    void realFashionMnistOrTheWayToGetIt() {
        Optional<Path> found = DataSets.locateFashionMnist();
        if (found.isEmpty()) {
            DataException e = assertThrows(DataException.class, () -> DataSets.loadFashionMnist(Split.TRAIN));
            assertTrue(e.getMessage().contains(DataSets.SYSTEM_FASHION_MNIST.toString())
                    && e.getMessage().contains("scripts/fetch-data")
                    && e.getMessage().contains(DataSets.fashionMnistCacheDir().toString()), e.getMessage());
            return;
        }
        Path dir = found.get();
        for (String f : DataSets.FASHION_MNIST_FILES) {
            assertEquals(DataSets.FASHION_MNIST_SHA256.get(f), DataSets.sha256(dir.resolve(f)), f);
        }
        Dataset train = DataSets.loadFashionMnist(Split.TRAIN);
        Dataset test = DataSets.load(dir, Split.TEST);
        assertEquals(60_000, train.size());
        assertEquals(10_000, test.size());
        assertEquals("fashion-mnist", test.name());
        assertEquals(DataSets.fashionMnistClasses(), train.classNames());
        for (Dataset d : List.of(train, test)) {
            assertEquals(28, d.height());
            assertEquals(28, d.width());
            int[] counts = new int[10];
            for (int label : d.labels()) {
                counts[label]++; // an out-of-range label would throw here (and in the reader)
            }
            for (int c : counts) {
                assertEquals(d.size() / 10, c, "Fashion-MNIST is balanced");
            }
        }
        // The fixtures are the first five samples of each split.
        assertArrayEquals(DataSets.load(TestData.file("fashion-mnist-gz"), Split.TRAIN).image(4), train.image(4));
        assertArrayEquals(DataSets.load(TestData.file("fashion-mnist-gz"), Split.TEST).labels(), test.head(5).labels());
    }
}
