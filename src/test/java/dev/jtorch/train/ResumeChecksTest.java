package dev.jtorch.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jtorch.Device;
import dev.jtorch.Torch;
import dev.jtorch.io.Checkpoint;
import dev.jtorch.io.ModelFileException;
import dev.jtorch.models.Architecture;
import dev.jtorch.train.TrainConfig.OptimizerKind;
import dev.jtorch.train.TrainConfig.Schedule;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What the trainer checks when it resumes or runs away: each checkpoint field it reads (a bad one
 * is a {@link ModelFileException} naming the file and the key), a finished run, an {@code --out}
 * that is a file, divergence (no NaN file is ever written), {@code metrics.jsonl} after a crash
 * between its append and the checkpoint's rename, and a batch larger than the data set. On the
 * committed 5-sample fixture, so each run takes well under a second.
 */
class ResumeChecksTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path DATA = Path.of("src/test/resources/data/fashion-mnist-gz");
    private static final Trainer.Listener QUIET = new Trainer.Listener() {};

    @TempDir
    static Path shared;
    /** A 1-epoch run's checkpoint (SGD, no schedule), shared by the tests that corrupt a copy of it. */
    static Path good;

    @TempDir
    Path tmp;
    private long baseline;

    static TrainConfig config(Path out, int epochs, int batch, double lr, Path resume) {
        return new TrainConfig(DATA, Architecture.MLP, epochs, batch, OptimizerKind.SGD, lr, 0, Device.CPU, 3, 1, 0, 0, out,
                resume, Schedule.NONE);
    }

    @BeforeAll
    static void trainOnce() throws IOException {
        Trainer.run(config(shared.resolve("good"), 1, 2, 0.01, null), QUIET, () -> false);
        good = shared.resolve("good/checkpoint.pt");
    }

    @BeforeEach
    void before() {
        baseline = Torch.liveHandles();
    }

    @AfterEach
    void after() {
        assertEquals(baseline, Torch.liveHandles(), "native handles leaked");
    }

    /** A copy of {@code from} whose checkpoint.json went through {@code edit}. */
    static Path edited(Path from, Path to, Consumer<ObjectNode> edit) throws IOException {
        List<String> names = new ArrayList<>();
        List<byte[]> data = new ArrayList<>();
        try (ZipFile z = new ZipFile(from.toFile())) {
            for (ZipEntry e : z.stream().toList()) {
                names.add(e.getName());
                data.add(z.getInputStream(e).readAllBytes());
            }
        }
        try (OutputStream o = Files.newOutputStream(to); ZipOutputStream zip = new ZipOutputStream(o)) {
            for (int i = 0; i < names.size(); i++) {
                byte[] bytes = data.get(i);
                if (names.get(i).equals(Checkpoint.JSON_ENTRY)) {
                    ObjectNode root = (ObjectNode) JSON.readTree(bytes);
                    edit.accept(root);
                    bytes = JSON.writeValueAsBytes(root);
                }
                zip.putNextEntry(new ZipEntry(names.get(i)));
                zip.write(bytes);
                zip.closeEntry();
            }
        }
        return to;
    }

    private static ObjectNode extra(ObjectNode root) {
        return (ObjectNode) root.get("extra");
    }

    static Stream<Arguments> badFields() {
        return Stream.<Arguments>of(
                Arguments.of("epoch", (Consumer<ObjectNode>) r -> r.put("epoch", 4294967295L)),
                Arguments.of("architecture", (Consumer<ObjectNode>) r -> r.put("architecture", "resnet")),
                Arguments.of("optimizer", (Consumer<ObjectNode>) r -> r.putNull("optimizer")),
                Arguments.of("optimizer.kind", (Consumer<ObjectNode>) r -> ((ObjectNode) r.get("optimizer")).put("kind",
                        "Lion")),
                Arguments.of("optimizer.lr", (Consumer<ObjectNode>) r -> ((ObjectNode) r.get("optimizer")).put("lr",
                        "fast")),
                Arguments.of("extra.schedule", (Consumer<ObjectNode>) r -> extra(r).put("schedule", 5)),
                Arguments.of("extra.partial_epoch.steps", (Consumer<ObjectNode>) r -> extra(r).putObject("partial_epoch")
                        .put("steps", "two").put("seen", 2).put("correct", 1).put("loss_sum", 4.0).put("seconds", 1.0)),
                Arguments.of("extra.partial_epoch.steps", (Consumer<ObjectNode>) r -> extra(r).putObject("partial_epoch")
                        .put("steps", 4294967297L).put("seen", 2).put("correct", 1).put("loss_sum", 4.0)
                        .put("seconds", 1.0)),
                Arguments.of("extra.partial_epoch.correct", (Consumer<ObjectNode>) r -> extra(r).putObject("partial_epoch")
                        .put("steps", 1).put("seen", 2).put("correct", 3).put("loss_sum", 4.0).put("seconds", 1.0)),
                Arguments.of("extra.partial_epoch.loss_sum", (Consumer<ObjectNode>) r -> extra(r).putObject("partial_epoch")
                        .put("steps", 1).put("seen", 2).put("correct", 1).put("loss_sum", "NaN").put("seconds", 1.0)),
                Arguments.of("extra.epoch_metrics.test_loss", (Consumer<ObjectNode>) r -> ((ObjectNode) extra(r)
                        .get("epoch_metrics")).put("test_loss", "NaN")),
                Arguments.of("extra.epoch_metrics.epoch", (Consumer<ObjectNode>) r -> ((ObjectNode) extra(r)
                        .get("epoch_metrics")).put("epoch", 7)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badFields")
    void aBadCheckpointFieldIsAModelFileExceptionNamingFileAndKey(String key, Consumer<ObjectNode> edit) throws Exception {
        Path bad = edited(good, tmp.resolve("bad.pt"), edit);
        Path out = tmp.resolve("out");
        ModelFileException e = assertThrows(ModelFileException.class,
                () -> Trainer.run(config(out, 3, 2, 0.01, bad), QUIET, () -> false));
        assertTrue(e.getMessage().startsWith(bad.toString()) && e.getMessage().contains("\"" + key + "\""),
                e.getMessage());
        assertFalse(Files.exists(out.resolve("checkpoint.pt")), "nothing trained");
    }

    @Test
    void evalOfACheckpointOfAnUnknownArchitectureNamesFileAndKey() throws Exception {
        Path bad = edited(good, tmp.resolve("resnet.pt"), r -> r.put("architecture", "resnet"));
        ModelFileException e = assertThrows(ModelFileException.class, () -> ModelLoader.load(bad, null));
        assertTrue(e.getMessage().startsWith(bad.toString()) && e.getMessage().contains("\"architecture\"")
                && e.getMessage().contains("resnet"), e.getMessage());
    }

    @Test
    void aCheckpointOfAnotherOptimizerNamesTheFlagToUse() throws Exception {
        TrainConfig adam = new TrainConfig(DATA, Architecture.MLP, 3, 2, OptimizerKind.ADAM, 1e-3, 0, Device.CPU, 3, 1,
                0, 0, tmp.resolve("out"), good, Schedule.NONE);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Trainer.run(adam, QUIET, () -> false));
        assertTrue(e.getMessage().contains(good.toString()) && e.getMessage().contains("--optimizer sgd"), e.getMessage());
    }

    @Test
    void resumingAFinishedRunSaysSo() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Trainer.run(config(tmp.resolve("out"), 1, 2, 0.01, good), QUIET, () -> false));
        assertTrue(e.getMessage().contains("already finished 1 epoch") && e.getMessage().contains("--epochs N with N > 1"),
                e.getMessage());
    }

    @Test
    void anOutThatIsAFileIsRefusedBeforeTraining() throws Exception {
        Path file = Files.writeString(tmp.resolve("notes.txt"), "mine");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Trainer.run(config(file, 1, 2, 0.01, null), QUIET, () -> false));
        assertTrue(e.getMessage().contains("--out " + file) && e.getMessage().contains("is an existing file"),
                e.getMessage());
        assertEquals("mine", Files.readString(file));
        e = assertThrows(IllegalArgumentException.class,
                () -> Trainer.run(config(file.resolve("run"), 1, 2, 0.01, null), QUIET, () -> false));
        assertTrue(e.getMessage().contains(file + " is a file"), e.getMessage());
    }

    @Test
    void aBatchLargerThanTheDataSetTrainsOnOneBatchOfEverySample() throws Exception {
        Path out = tmp.resolve("big");
        List<Integer> steps = new ArrayList<>();
        Trainer.Listener count = new Trainer.Listener() {
            @Override
            public void step(int epoch, int step, int total, double loss, double acc, double sps) {
                steps.add(total);
            }
        };
        Trainer.Result r = Trainer.run(config(out, 2, Integer.MAX_VALUE, 0.01, null), count, () -> false);
        assertEquals(List.of(1, 1), steps, "one step of all 5 samples per epoch");
        assertEquals(2, r.epochs().size());
        assertTrue(Double.isFinite(r.epochs().get(1).trainLoss()), r.epochs().toString());
    }

    @Test
    void divergenceInTheFirstEpochWritesNothing() {
        Path out = tmp.resolve("nan");
        TrainingDivergedException e = assertThrows(TrainingDivergedException.class,
                () -> Trainer.run(config(out, 2, 2, 1e30, null), QUIET, () -> false));
        assertEquals(1, e.reading().epoch());
        assertTrue(e.reading().step() >= 1 && e.reading().step() <= 3, "step " + e.reading().step());
        assertFalse(Double.isFinite(e.reading().value()));
        assertTrue(e.getMessage().contains("training diverged at epoch 1, step " + e.reading().step())
                && e.getMessage().contains("lower --lr"), e.getMessage());
        for (String f : List.of("checkpoint.pt", "model.pt", "metrics.jsonl", "eval.json")) {
            assertFalse(Files.exists(out.resolve(f)), f);
        }
    }

    @Test
    void divergenceInALaterEpochKeepsTheLastGoodFiles() throws Exception {
        // SGD at lr 1e12 on one batch of 5: epoch 1 ends with huge but finite weights and test
        // loss, epoch 2's logits overflow (found for lr 1e10 to 1e15)
        Path out = tmp.resolve("late");
        byte[][] afterEpoch1 = new byte[2][];
        Trainer.Listener keep = new Trainer.Listener() {
            @Override
            public void epochEnd(EpochMetrics m) {
                try {
                    afterEpoch1[0] = Files.readAllBytes(out.resolve("checkpoint.pt"));
                    afterEpoch1[1] = Files.readAllBytes(out.resolve("metrics.jsonl"));
                } catch (IOException e) {
                    throw new AssertionError(e);
                }
            }
        };
        TrainingDivergedException e = assertThrows(TrainingDivergedException.class,
                () -> Trainer.run(config(out, 3, 5, 1e12, null), keep, () -> false));
        assertEquals(2, e.reading().epoch(), e.getMessage());
        assertTrue(e.getMessage().contains("left as they were"), e.getMessage());
        assertArrayEquals(afterEpoch1[0], Files.readAllBytes(out.resolve("checkpoint.pt")));
        assertArrayEquals(afterEpoch1[1], Files.readAllBytes(out.resolve("metrics.jsonl")));
        assertFalse(Files.exists(out.resolve("model.pt")));
    }

    private static List<Integer> epochs(Path metrics) throws IOException {
        List<Integer> out = new ArrayList<>();
        for (String line : Files.readAllLines(metrics)) {
            out.add(JSON.readTree(line).get("epoch").asInt());
        }
        return out;
    }

    @Test
    void metricsAgreeWithTheCheckpointAfterACrashBetweenTheTwoWrites() throws Exception {
        Path straight = tmp.resolve("straight");
        Trainer.run(config(straight, 3, 2, 0.01, null), QUIET, () -> false);
        List<String> want = Files.readAllLines(straight.resolve("metrics.jsonl"));
        assertEquals(List.of(1, 2, 3), epochs(straight.resolve("metrics.jsonl")));

        Path base = tmp.resolve("base");
        Trainer.run(config(base, 2, 2, 0.01, null), QUIET, () -> false);
        List<String> two = Files.readAllLines(base.resolve("metrics.jsonl"));
        String other3 = want.get(2).replace("\"train_loss\":", "\"train_loss\":1");
        // metrics.jsonl as the killed process left it, beside its checkpoint.pt of epoch 2
        List<String> states = List.of(
                two.get(0) + "\n" + two.get(1) + "\n" + other3 + "\n", // epoch 3 appended, its checkpoint never renamed
                two.get(0) + "\n", // epoch 2's line lost (the checkpoint records it)
                two.get(0) + "\n" + two.get(1) + "\n" + want.get(2).substring(0, 40), // torn mid-append
                two.get(0) + "\n" + two.get(1) + "\n" + two.get(1) + "\n"); // [1, 2, 2], as the unfixed resume wrote
        for (int c = 0; c < states.size(); c++) {
            String state = states.get(c);
            Path run = tmp.resolve("crash" + c);
            Files.createDirectories(run);
            Files.copy(base.resolve("checkpoint.pt"), run.resolve("checkpoint.pt"));
            Files.writeString(run.resolve("metrics.jsonl"), state);
            Trainer.run(config(run, 3, 2, 0.01, run.resolve("checkpoint.pt")), QUIET, () -> false);
            List<String> lines = Files.readAllLines(run.resolve("metrics.jsonl"));
            assertEquals(List.of(1, 2, 3), epochs(run.resolve("metrics.jsonl")), state);
            for (int i = 0; i < 3; i++) {
                JsonNode got = JSON.readTree(lines.get(i));
                JsonNode exp = JSON.readTree(want.get(i));
                for (String k : List.of("train_loss", "train_accuracy", "test_loss", "test_accuracy", "lr")) {
                    assertEquals(exp.get(k).asDouble(), got.get(k).asDouble(), 0.0, "epoch " + (i + 1) + " " + k);
                }
            }
        }
    }

    @Test
    void aCheckpointWithoutRecordedMetricsKeepsTheLinesItHas() throws Exception {
        Path run = tmp.resolve("old");
        Trainer.run(config(run, 2, 2, 0.01, null), QUIET, () -> false);
        // a checkpoint written before jtorch recorded the epoch's metrics line in it
        Path old = edited(run.resolve("checkpoint.pt"), tmp.resolve("old.pt"), r -> extra(r).remove("epoch_metrics"));
        Files.move(old, run.resolve("checkpoint.pt"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.writeString(run.resolve("metrics.jsonl"), "{\"epoch\":1,\"train_loss\":9}\n{\"epoch\":2,\"train_loss\":8}\n"
                + "{\"epoch\":3,\"train_loss\":7}\n{\"ep", StandardCharsets.UTF_8);
        Trainer.run(config(run, 3, 2, 0.01, run.resolve("checkpoint.pt")), QUIET, () -> false);
        List<String> lines = Files.readAllLines(run.resolve("metrics.jsonl"));
        assertEquals(List.of(1, 2, 3), epochs(run.resolve("metrics.jsonl")));
        assertEquals("{\"epoch\":2,\"train_loss\":8}", lines.get(1), "kept as it was");
        assertTrue(JSON.readTree(lines.get(2)).has("test_accuracy"), "epoch 3 is the resumed run's");
    }
}
