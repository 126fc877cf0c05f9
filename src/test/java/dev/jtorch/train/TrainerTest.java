package dev.jtorch.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jtorch.Device;
import dev.jtorch.Torch;
import dev.jtorch.io.ModelFiles;
import dev.jtorch.io.ModelKind;
import dev.jtorch.models.Architecture;
import dev.jtorch.train.TrainConfig.OptimizerKind;
import dev.jtorch.train.TrainConfig.Schedule;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** End-to-end training on a synthetic stand-in for Fashion-MNIST ({@link SyntheticFashionMnist}). */
class TrainerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Trainer.Listener QUIET = new Trainer.Listener() {};

    @TempDir
    static Path shared;
    private static Path data;

    @TempDir
    Path tmp;
    private long baseline;

    @BeforeAll
    static void writeData() throws Exception {
        data = SyntheticFashionMnist.write(shared, 5000, 10000);
    }

    @BeforeEach
    void before() {
        baseline = Torch.liveHandles();
    }

    @AfterEach
    void after() {
        assertEquals(baseline, Torch.liveHandles(), "native handles leaked");
    }

    private static TrainConfig config(Path out, int epochs, long limit, long val, Path resume, OptimizerKind optimizer) {
        return config(out, epochs, limit, val, resume, optimizer, Schedule.NONE);
    }

    private static TrainConfig config(Path out, int epochs, long limit, long val, Path resume, OptimizerKind optimizer,
                                      Schedule schedule) {
        return new TrainConfig(data, Architecture.MLP, epochs, 64, optimizer, optimizer.defaultLr(),
                optimizer == OptimizerKind.SGD ? 0.9 : 0, Device.CPU, 3, 1, limit, val, out, resume, schedule);
    }

    @Test
    void simpleNNLearnsFashionMnistAndWritesEveryFile() throws Exception {
        Path out = tmp.resolve("run");
        Trainer.Result r = Trainer.run(config(out, 2, 4000, 500, null, OptimizerKind.ADAM), QUIET, () -> false);
        assertFalse(r.interrupted());
        assertTrue(r.report().accuracy() >= 0.7, "test accuracy " + r.report().accuracy() + " < 0.7");
        assertEquals(10000, r.report().samples());
        for (String f : List.of("metrics.jsonl", "model.pt", "checkpoint.pt", "eval.json", "loss.png", "accuracy.png",
                "confusion_matrix.png", "reliability.png")) {
            assertTrue(Files.size(out.resolve(f)) > 0, f);
        }
        List<String> lines = Files.readAllLines(out.resolve("metrics.jsonl"));
        assertEquals(2, lines.size());
        JsonNode m = JSON.readTree(lines.get(1));
        for (String k : List.of("epoch", "train_loss", "train_accuracy", "test_loss", "test_accuracy", "lr",
                "samples_per_second", "seconds")) {
            assertTrue(m.has(k), "metrics.jsonl lacks " + k);
        }
        assertEquals(2, m.get("epoch").asInt());
        JsonNode eval = JSON.readTree(out.resolve("eval.json").toFile());
        assertTrue(eval.has("calibration") && eval.get("calibration").has("temperature"), "calibration missing");
        assertEquals(10, eval.get("per_class").size());
        assertEquals(ModelKind.JTORCH_CHECKPOINT, ModelFiles.detect(out.resolve("checkpoint.pt")));
        assertEquals(ModelKind.STATE_DICT, ModelFiles.detect(out.resolve("model.pt")));
        byte[] png = Files.readAllBytes(out.resolve("confusion_matrix.png"));
        assertEquals((byte) 0x89, png[0]);
        assertEquals('P', png[1]);
    }

    private static List<JsonNode> metrics(Path out) throws Exception {
        return Files.readAllLines(out.resolve("metrics.jsonl")).stream().map(l -> {
            try {
                return JSON.readTree(l);
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }).toList();
    }

    private static void assertSameExceptTiming(List<JsonNode> a, List<JsonNode> b) {
        assertEquals(a.size(), b.size());
        for (int i = 0; i < a.size(); i++) {
            for (String k : List.of("epoch", "train_loss", "train_accuracy", "test_loss", "test_accuracy", "lr")) {
                assertEquals(a.get(i).get(k).asDouble(), b.get(i).get(k).asDouble(), 0.0, "epoch " + (i + 1) + " " + k);
            }
        }
    }

    @Test
    void resumingAfterAnEpochEqualsAnUninterruptedRun() throws Exception {
        Path straight = tmp.resolve("straight");
        Trainer.run(config(straight, 3, 1500, 0, null, OptimizerKind.SGD, Schedule.EXP), QUIET, () -> false);
        Path split = tmp.resolve("split");
        Trainer.run(config(split, 1, 1500, 0, null, OptimizerKind.SGD, Schedule.EXP), QUIET, () -> false);
        Trainer.run(config(split, 3, 1500, 0, split.resolve("checkpoint.pt"), OptimizerKind.SGD, Schedule.EXP), QUIET, () -> false);
        assertSameExceptTiming(metrics(straight), metrics(split));
        assertEquals(Files.readString(straight.resolve("eval.json")), Files.readString(split.resolve("eval.json")));
    }

    @Test
    void anInterruptionMidEpochSavesACheckpointThatResumesExactly() throws Exception {
        Path straight = tmp.resolve("straight");
        Trainer.run(config(straight, 2, 1500, 0, null, OptimizerKind.ADAM, Schedule.COSINE), QUIET, () -> false);
        Path broken = tmp.resolve("broken");
        AtomicInteger steps = new AtomicInteger();
        Trainer.Listener count = new Trainer.Listener() {
            @Override
            public void step(int epoch, int step, int total, double loss, double acc, double sps) {
                steps.incrementAndGet();
            }
        };
        Trainer.Result r = Trainer.run(config(broken, 2, 1500, 0, null, OptimizerKind.ADAM, Schedule.COSINE), count, () -> steps.get() == 10);
        assertTrue(r.interrupted());
        assertNotNull(r.out());
        assertTrue(Files.exists(broken.resolve("checkpoint.pt")));
        assertFalse(Files.exists(broken.resolve("metrics.jsonl")), "no epoch finished before the interruption");
        Trainer.run(config(broken, 2, 1500, 0, broken.resolve("checkpoint.pt"), OptimizerKind.ADAM, Schedule.COSINE), QUIET, () -> false);
        assertSameExceptTiming(metrics(straight), metrics(broken));
    }

    @Test
    void aCnnBatchSplitOverTwoThreadsIsReproducibleAndMatchesOneThread() throws Exception {
        int before = Torch.numThreads();
        try {
            List<List<JsonNode>> runs = new java.util.ArrayList<>();
            for (int threads : new int[] {2, 2, 1}) {
                assertEquals(threads == 2 ? 2 : 1, ThreadPlan.forTraining(Architecture.CNN, 64, threads).split());
                Path out = tmp.resolve("cnn" + runs.size());
                Trainer.run(new TrainConfig(data, Architecture.CNN, 1, 64, OptimizerKind.SGD, 0.01, 0.9, Device.CPU, 5, threads,
                        1000, 0, out, null, Schedule.NONE), QUIET, () -> false);
                runs.add(metrics(out));
            }
            assertSameExceptTiming(runs.get(0), runs.get(1));
            for (String k : List.of("train_loss", "test_loss", "test_accuracy")) {
                double split = runs.get(0).get(0).get(k).asDouble();
                double whole = runs.get(2).get(0).get(k).asDouble();
                assertEquals(whole, split, 1e-3 * Math.abs(whole), k + ": split batch vs one thread");
            }
        } finally {
            Torch.setNumThreads(before);
        }
    }

    @Test
    void extendingACosineRunIsRefusedWithAClearReason() throws Exception {
        Path out = tmp.resolve("cos");
        Trainer.run(config(out, 1, 500, 0, null, OptimizerKind.ADAM, Schedule.COSINE), QUIET, () -> false);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Trainer.run(
                config(out, 3, 500, 0, out.resolve("checkpoint.pt"), OptimizerKind.ADAM, Schedule.COSINE), QUIET, () -> false));
        assertTrue(e.getMessage().contains("--schedule none or exp"), e.getMessage());
    }

    @Test
    void aContradictingModelOnResumeIsRefused() throws Exception {
        Path out = tmp.resolve("run");
        Trainer.run(config(out, 1, 500, 0, null, OptimizerKind.ADAM), QUIET, () -> false);
        TrainConfig cnn = new TrainConfig(data, Architecture.CNN, 2, 64, OptimizerKind.ADAM, 1e-3, 0, Device.CPU, 3, 1, 500, 0, out,
                out.resolve("checkpoint.pt"), Schedule.NONE);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Trainer.run(cnn, QUIET, () -> false));
        assertTrue(e.getMessage().contains("--model cnn contradicts") && e.getMessage().contains("mlp"), e.getMessage());
    }

    @Test
    void theWrongArchitectureForTheDataIsNamed() {
        TrainConfig cifar = new TrainConfig(data, Architecture.CIFAR_CNN, 1, 64, OptimizerKind.ADAM, 1e-3, 0, Device.CPU, 0, 1, 100,
                0, tmp.resolve("x"), null, Schedule.NONE);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Trainer.run(cifar, QUIET, () -> false));
        assertTrue(e.getMessage().contains("cifar-cnn expects 3x32x32") && e.getMessage().contains("1x28x28"), e.getMessage());
    }

    @Test
    void cudaWithoutCudaIsAClearError() {
        TrainConfig c = new TrainConfig(data, Architecture.MLP, 1, 64, OptimizerKind.ADAM, 1e-3, 0, Device.cuda(0), 0, 1, 100, 0,
                tmp.resolve("x"), null, Schedule.NONE);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Trainer.run(c, QUIET, () -> false));
        assertTrue(e.getMessage().contains("CUDA is not available"), e.getMessage());
    }
}
