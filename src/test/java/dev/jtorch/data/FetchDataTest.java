package dev.jtorch.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code scripts/fetch-data} against a local fake package (no network): a .deb built here with
 * {@code dpkg-deb --build} holding the small fixture files, and a sums file for them passed in
 * {@code JTORCH_FASHION_MNIST_SHA256} (the check still runs; only the expected sums differ).
 */
class FetchDataTest {
    private static final Path SCRIPT = Path.of("scripts", "fetch-data").toAbsolutePath();

    @TempDir
    Path tmp;
    private Path deb;
    private Path sums;
    private Path cache;

    record Result(int exit, String stdout, String stderr) {}

    @BeforeEach
    void fakePackage() throws Exception {
        assumeTrue(Files.isRegularFile(SCRIPT), "run from the project root");
        assumeTrue(onPath("dpkg-deb") && onPath("sha256sum") && onPath("bash"), "needs bash, dpkg-deb, sha256sum");
        Path root = tmp.resolve("pkg");
        Path data = Files.createDirectories(root.resolve("usr/share/datasets/fashion-mnist"));
        Path control = Files.createDirectories(root.resolve("DEBIAN"));
        Files.setPosixFilePermissions(control, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.writeString(control.resolve("control"), String.join("\n",
                "Package: dataset-fashion-mnist", "Version: 0.0-jtorch-test", "Architecture: all",
                "Maintainer: jtorch tests <tests@example.invalid>",
                "Description: five-sample stand-in for Fashion-MNIST (jtorch's fetch-data test)", ""));
        StringBuilder sb = new StringBuilder();
        for (String f : DataSets.FASHION_MNIST_FILES) {
            Files.copy(TestData.file("fashion-mnist-gz/" + f), data.resolve(f));
            sb.append(DataSets.sha256(data.resolve(f))).append("  ").append(f).append('\n');
        }
        sums = Files.writeString(tmp.resolve("SHA256SUMS"), sb.toString());
        deb = tmp.resolve("dataset-fashion-mnist_0.0-jtorch-test_all.deb");
        Result r = run(Map.of(), "dpkg-deb", "--root-owner-group", "--build", root.toString(), deb.toString());
        assertEquals(0, r.exit, r.stderr);
        cache = tmp.resolve("xdg/jtorch/fashion-mnist");
    }

    private static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }

    private Result fetch(Map<String, String> env) throws Exception {
        return run(env, "bash", SCRIPT.toString());
    }

    private Map<String, String> env(Path debFile, Path sumsFile) {
        return Map.of("XDG_CACHE_HOME", tmp.resolve("xdg").toString(), "JTORCH_FASHION_MNIST_DEB", debFile.toString(),
                "JTORCH_FASHION_MNIST_SHA256", sumsFile.toString(), "TMPDIR", tmp.toString());
    }

    private Result run(Map<String, String> env, String... command) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().putAll(env);
        Path out = Files.createTempFile(tmp, "out", ".txt");
        Path err = Files.createTempFile(tmp, "err", ".txt");
        pb.redirectOutput(out.toFile()).redirectError(err.toFile());
        Process p = pb.start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " timed out");
        }
        return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }

    @Test
    void installsVerifiesAndIsIdempotent() throws Exception {
        Result r = fetch(env(deb, sums));
        assertEquals(0, r.exit, r.stderr);
        assertEquals(cache.toString(), r.stdout.strip(), "stdout is the cache folder only");
        assertTrue(r.stderr.contains("installing train-images-idx3-ubyte.gz"), r.stderr);
        for (String f : DataSets.FASHION_MNIST_FILES) {
            assertArrayEquals(Files.readAllBytes(TestData.file("fashion-mnist-gz/" + f)),
                    Files.readAllBytes(cache.resolve(f)), f);
        }
        try (var leftovers = Files.list(cache)) {
            assertEquals(4, leftovers.count(), "no partial files left behind");
        }
        try (var temps = Files.list(tmp)) {
            assertFalse(temps.anyMatch(p -> p.getFileName().toString().startsWith("jtorch-fetch-data")),
                    "temporary folder removed");
        }
        assertEquals(5, DataSets.load(cache, Split.TRAIN).size());
        Map<String, String> expected = new java.util.HashMap<>();
        for (String line : Files.readAllLines(sums)) {
            String[] parts = line.split("\\s+");
            expected.put(parts[1], parts[0]);
        }
        assertEquals(Optional.of(cache), DataSets.locateFashionMnist(tmp.resolve("no-system"), cache, expected));

        // Idempotent: a verified cache is left alone (even without the package).
        long mtime = Files.getLastModifiedTime(cache.resolve("train-images-idx3-ubyte.gz")).toMillis();
        Result again = fetch(env(tmp.resolve("gone.deb"), sums));
        assertEquals(0, again.exit, again.stderr);
        assertTrue(again.stderr.contains("already present"), again.stderr);
        assertEquals(mtime, Files.getLastModifiedTime(cache.resolve("train-images-idx3-ubyte.gz")).toMillis());

        // A damaged cache is repaired.
        Files.write(cache.resolve("t10k-labels-idx1-ubyte.gz"), new byte[] {1, 2, 3});
        Result repair = fetch(env(deb, sums));
        assertEquals(0, repair.exit, repair.stderr);
        assertArrayEquals(Files.readAllBytes(TestData.file("fashion-mnist-gz/t10k-labels-idx1-ubyte.gz")),
                Files.readAllBytes(cache.resolve("t10k-labels-idx1-ubyte.gz")));
    }

    @Test
    void wrongSumsFailWithOneLineAndInstallNothing() throws Exception {
        // The published sums: the five-sample fake cannot match them.
        Path published = tmp.resolve("published");
        StringBuilder sb = new StringBuilder();
        DataSets.FASHION_MNIST_SHA256.forEach((f, s) -> sb.append(s).append("  ").append(f).append('\n'));
        Files.writeString(published, sb.toString());
        Result r = fetch(env(deb, published));
        assertEquals(1, r.exit);
        assertEquals("", r.stdout);
        assertOneLine(r.stderr, "SHA-256");
        assertFalse(Files.exists(cache.resolve("train-images-idx3-ubyte.gz")));
    }

    @Test
    void aMissingPackageOrAnIncompleteOneFailsWithOneLine() throws Exception {
        Result r = fetch(env(tmp.resolve("nowhere.deb"), sums));
        assertEquals(1, r.exit);
        assertOneLine(r.stderr, "nowhere.deb: no such file");

        Path notDeb = Files.writeString(tmp.resolve("broken.deb"), "not a package");
        r = fetch(env(notDeb, sums));
        assertEquals(1, r.exit);
        assertOneLine(r.stderr, "dpkg-deb -x");

        Path partial = tmp.resolve("partial");
        Files.createDirectories(partial.resolve("DEBIAN"));
        Files.setPosixFilePermissions(partial.resolve("DEBIAN"), PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.writeString(partial.resolve("DEBIAN/control"), "Package: dataset-fashion-mnist\nVersion: 0\n"
                + "Architecture: all\nMaintainer: t <t@example.invalid>\nDescription: t\n");
        Files.createDirectories(partial.resolve("usr/share/datasets/fashion-mnist"));
        Files.copy(TestData.file("fashion-mnist-gz/train-images-idx3-ubyte.gz"),
                partial.resolve("usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz"));
        Path partialDeb = tmp.resolve("partial.deb");
        assertEquals(0, run(Map.of(), "dpkg-deb", "--root-owner-group", "--build", partial.toString(),
                partialDeb.toString()).exit);
        r = fetch(env(partialDeb, sums));
        assertEquals(1, r.exit);
        assertOneLine(r.stderr, "does not contain usr/share/datasets/fashion-mnist/train-labels-idx1-ubyte.gz");
    }

    private static void assertOneLine(String stderr, String phrase) {
        String[] lines = stderr.strip().split("\n");
        String last = lines[lines.length - 1];
        assertTrue(last.startsWith("fetch-data: ") && last.contains(phrase), stderr);
        for (String l : lines) {
            assertFalse(l.contains("Exception") || l.startsWith("+"), stderr);
        }
        // Progress lines may precede it; the failure itself is one line.
        assertEquals(1, stderr.lines().filter(l -> l.contains(phrase)).count(), stderr);
    }
}
