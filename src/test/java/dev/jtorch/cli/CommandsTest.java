package dev.jtorch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jtorch.train.SyntheticFashionMnist;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each command in-process: exit codes, JSON fields, and one clear stderr line per error. */
class CommandsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path DATA = Path.of("src/test/resources/data");

    @TempDir
    static Path tmp;
    static Path run;
    /** The training run's data: a synthetic Fashion-MNIST (10,000 test samples, as the real one). */
    static Path fashion;

    private record Outcome(int code, String out, String err) {
        void failedWith(int expected, String... fragments) {
            assertEquals(expected, code, "exit code; stderr: " + err);
            assertEquals("", out, "nothing on stdout on failure");
            assertEquals(1, err.lines().count(), "one stderr line, no stack trace: " + err);
            for (String f : fragments) {
                assertTrue(err.contains(f), "stderr should contain '" + f + "': " + err);
            }
        }
    }

    private static Outcome cli(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(List.of(args), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Outcome(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @BeforeAll
    static void trainOnce() throws Exception {
        fashion = SyntheticFashionMnist.write(tmp, 2000, 10000);
        run = tmp.resolve("run");
        Outcome o = cli("train", "--data", fashion.toString(), "--limit", "2000", "--epochs", "1", "--threads", "1", "--out", run.toString());
        assertEquals(0, o.code, o.err);
        assertTrue(o.out.contains("accuracy") && o.out.contains("Ankle boot"), o.out);
    }

    @Test
    void evalJsonHasTheDocumentedFields() throws Exception {
        Outcome o = cli("eval", "--checkpoint", run.resolve("checkpoint.pt").toString(), "--data", fashion.toString(),
                "--json");
        assertEquals(0, o.code, o.err);
        JsonNode r = JSON.readTree(o.out);
        for (String k : List.of("samples", "accuracy", "top5_accuracy", "nll", "ece", "macro", "weighted", "micro",
                "per_class", "confusion_matrix")) {
            assertTrue(r.has(k), "eval --json lacks " + k);
        }
        assertEquals(10000, r.get("samples").asInt());
        assertEquals(10, r.get("confusion_matrix").size());
        assertTrue(r.get("per_class").get(0).has("support"));
    }

    @Test
    void evalOfTheBareStateDictEqualsTheCheckpoint() throws Exception {
        Outcome a = cli("eval", "--checkpoint", run.resolve("checkpoint.pt").toString(), "--data", fashion.toString(),
                "--json");
        Outcome b = cli("eval", "--checkpoint", run.resolve("model.pt").toString(), "--model", "mlp", "--data",
                fashion.toString(), "--json");
        assertEquals(0, b.code, b.err);
        assertEquals(JSON.readTree(a.out).get("accuracy"), JSON.readTree(b.out).get("accuracy"));
    }

    @Test
    void evalOnATrainSplitOfAFolder() throws Exception {
        Outcome o = cli("eval", "--checkpoint", run.resolve("checkpoint.pt").toString(), "--data",
                DATA.resolve("fashion-mnist-gz").toString(), "--split", "train", "--json");
        assertEquals(0, o.code, o.err);
        assertEquals(5, JSON.readTree(o.out).get("samples").asInt());
    }

    @Test
    void aContradictingModelIsRefused() {
        cli("eval", "--checkpoint", run.resolve("checkpoint.pt").toString(), "--model", "cnn")
                .failedWith(2, "--model cnn contradicts", "mlp");
    }

    @Test
    void predictJsonLinesForImagesAndIdxFiles() throws Exception {
        Outcome o = cli("predict", "--checkpoint", run.resolve("checkpoint.pt").toString(), "--input",
                DATA.resolve("gray28.png").toString(), DATA.resolve("fashion-mnist-raw/t10k-images-idx3-ubyte").toString(),
                "--top-k", "3", "--json");
        assertEquals(0, o.code, o.err);
        List<String> lines = o.out.lines().toList();
        assertEquals(6, lines.size(), "1 PNG + 5 IDX images");
        JsonNode first = JSON.readTree(lines.get(0));
        assertEquals(0, first.get("index").asInt());
        assertEquals(3, first.get("top").size());
        JsonNode top = first.get("top").get(0);
        assertTrue(top.has("class") && top.has("label") && top.has("probability"));
        double p0 = top.get("probability").asDouble();
        double p1 = first.get("top").get(1).get("probability").asDouble();
        assertTrue(p0 >= p1, "most probable first");
        assertEquals(5, JSON.readTree(lines.get(5)).get("index").asInt());
    }

    @Test
    void predictOfAWrongSizeImageNamesFileAndSize() {
        cli("predict", "--checkpoint", run.resolve("checkpoint.pt").toString(), "--input",
                DATA.resolve("gray32.png").toString()).failedWith(1, "gray32.png", "32");
    }

    @Test
    void aMissingCheckpointIsAFailureNamingIt() {
        cli("eval", "--checkpoint", tmp.resolve("nope.pt").toString()).failedWith(1, "nope.pt");
    }

    @Test
    void aDefectiveDataFileIsNamed() throws Exception {
        Path bad = tmp.resolve("bad");
        Files.createDirectories(bad);
        for (String f : List.of("train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
                "t10k-labels-idx1-ubyte")) {
            Files.copy(DATA.resolve("fashion-mnist-raw").resolve(f), bad.resolve(f));
        }
        byte[] labels = Files.readAllBytes(bad.resolve("t10k-labels-idx1-ubyte"));
        labels[9] = 42; // a label outside the 10 classes
        Files.write(bad.resolve("t10k-labels-idx1-ubyte"), labels);
        cli("eval", "--checkpoint", run.resolve("checkpoint.pt").toString(), "--data", bad.toString())
                .failedWith(1, "t10k-labels-idx1-ubyte", "42");
    }

    @Test
    void trainsAndEvaluatesOnAFolderOfImages() throws Exception {
        // torchvision's ImageFolder layout, images of other sizes than the model's 28x28
        Path images = tmp.resolve("photos");
        java.util.Random r = new java.util.Random(1);
        for (String split : List.of("train", "test")) {
            for (String cls : List.of("left", "right")) {
                for (int i = 0; i < (split.equals("train") ? 12 : 4); i++) {
                    java.awt.image.BufferedImage img = new java.awt.image.BufferedImage(40, 36,
                            java.awt.image.BufferedImage.TYPE_INT_RGB);
                    for (int y = 0; y < 36; y++) {
                        for (int x = 0; x < 40; x++) {
                            // the class is which half is bright
                            int v = r.nextInt(40) + ((x < 20) == cls.equals("left") ? 180 : 0);
                            img.setRGB(x, y, v << 16 | v << 8 | v);
                        }
                    }
                    Path f = images.resolve(split).resolve(cls).resolve(i + ".png");
                    Files.createDirectories(f.getParent());
                    javax.imageio.ImageIO.write(img, "png", f.toFile());
                }
            }
        }
        Path out = tmp.resolve("photos-run");
        Outcome o = cli("train", "--data", images.toString(), "--epochs", "5", "--batch-size", "8", "--lr", "0.01", "--threads", "1",
                "--out", out.toString());
        assertEquals(0, o.code, o.err);
        assertTrue(o.out.contains("left") && o.out.contains("right"), o.out);
        Outcome e = cli("eval", "--checkpoint", out.resolve("checkpoint.pt").toString(), "--data", images.toString(),
                "--json");
        assertEquals(0, e.code, e.err);
        assertEquals(8, JSON.readTree(e.out).get("samples").asInt());
        assertEquals(1.0, JSON.readTree(e.out).get("accuracy").asDouble(), 0.0, e.out);
    }

    @Test
    void aMissingDataFolderNeverFallsBack() {
        cli("train", "--data", tmp.resolve("empty").toString(), "--out", tmp.resolve("o").toString())
                .failedWith(1, "empty");
    }

    @Test
    void badArgumentsAreExitTwo() {
        cli("train", "--epochs", "0").failedWith(2, "--epochs");
        cli("train", "--model", "resnet").failedWith(2, "resnet");
        cli("train", "--device", "gpu").failedWith(2, "gpu");
        cli("predict", "--checkpoint", "x").failedWith(2, "--input");
        cli("eval", "--checkpoint", run.resolve("checkpoint.pt").toString(), "--split", "valid").failedWith(2, "valid");
    }

    @Test
    void everyModelFileKindIsAcceptedByContent() throws Exception {
        Path ts = Path.of("src/test/resources/torchscript");
        for (String f : List.of("simple_scripted.pt", "simple_traced.pt", "simple.safetensors")) {
            // misleading names on purpose: the kind comes from the content
            Path renamed = tmp.resolve("model-" + f.replace('.', '-') + ".bin");
            Files.copy(ts.resolve(f), renamed, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            // TorchScript is code: it loads only with --trust-code
            Outcome o = cli("predict", "--checkpoint", renamed.toString(), "--input", DATA.resolve("gray28.png").toString(),
                    "--json", "--trust-code");
            assertEquals(0, o.code, f + ": " + o.err);
            assertEquals(5, JSON.readTree(o.out).get("top").size());
        }
        Outcome o = cli("predict", "--checkpoint", Path.of("src/test/resources/python/simple_nn.pt").toString(), "--input",
                DATA.resolve("gray28.png").toString(), "--json");
        assertEquals(0, o.code, "a Python state dict: " + o.err);
    }

    @Test
    void torchScriptNeedsTrustCodeAndRunsNothingWithout() throws Exception {
        Path script = Path.of("src/test/resources/torchscript/side_effects.pt");
        Path canary = Path.of("/tmp/jtorch-canary-setstate");
        Path canaryForward = Path.of("/tmp/jtorch-canary-forward");
        Files.deleteIfExists(canary);
        Files.deleteIfExists(canaryForward);
        String png = DATA.resolve("gray28.png").toString();
        cli("predict", "--checkpoint", script.toString(), "--input", png).failedWith(1, "side_effects.pt", "TorchScript",
                "--trust-code");
        cli("eval", "--checkpoint", script.toString()).failedWith(1, "side_effects.pt", "--trust-code");
        assertFalse(Files.exists(canary), "predict/eval ran the archive's __setstate__");
        assertFalse(Files.exists(canaryForward), "predict/eval ran the archive's forward");
        Outcome o = cli("predict", "--checkpoint", script.toString(), "--input", png, "--json", "--trust-code");
        assertEquals(0, o.code, o.err);
        assertTrue(Files.exists(canary));
        Files.deleteIfExists(canary);
        Files.deleteIfExists(canaryForward);
    }

    @Test
    void aNamedPipeIsRefusedAtOnce() throws Exception {
        Path fifo = tmp.resolve("pipe.pt");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start().waitFor());
        org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(5), () -> {
            cli("eval", "--checkpoint", fifo.toString()).failedWith(1, "pipe.pt", "not a regular file");
            cli("predict", "--checkpoint", run.resolve("checkpoint.pt").toString(), "--input", fifo.toString())
                    .failedWith(1, "pipe.pt");
            cli("train", "--resume", fifo.toString(), "--out", tmp.resolve("fifo-run").toString())
                    .failedWith(1, "pipe.pt");
        });
    }

    @Test
    void aTruncatedOrForeignModelFileIsOneLine() throws Exception {
        byte[] good = Files.readAllBytes(run.resolve("checkpoint.pt"));
        Path cut = tmp.resolve("cut.pt");
        Files.write(cut, java.util.Arrays.copyOf(good, good.length / 2));
        cli("eval", "--checkpoint", cut.toString()).failedWith(1, "cut.pt");
        Path text = tmp.resolve("notes.txt");
        Files.writeString(text, "hello");
        cli("eval", "--checkpoint", text.toString()).failedWith(1, "notes.txt");
        cli("eval", "--checkpoint", Path.of("src/test/resources/python/foreign_global.pt").toString())
                .failedWith(1, "foreign_global.pt", "system");
    }
}
