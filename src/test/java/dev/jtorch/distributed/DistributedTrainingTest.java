package dev.jtorch.distributed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jtorch.Device;
import dev.jtorch.NoLeaks;
import dev.jtorch.io.StateDicts;
import dev.jtorch.models.Architecture;
import dev.jtorch.tensor.Tensor;
import dev.jtorch.tensor.TensorScope;
import dev.jtorch.train.TrainConfig;
import dev.jtorch.train.Trainer;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code jtorch train} as several processes (child JVMs on loopback, Gloo): the same parameters as
 * one process with the global batch, files from rank 0 only, and a clear failure when a peer dies.
 */
@ExtendWith(NoLeaks.class)
class DistributedTrainingTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A small MNIST-format data set: random pixels with labels that depend on them (so training moves). */
    static Path writeData(Path dir, int train, int test) throws IOException {
        Files.createDirectories(dir);
        Random rnd = new Random(7);
        for (String split : new String[] {"train", "t10k"}) {
            int n = split.equals("train") ? train : test;
            byte[] px = new byte[n * 784];
            byte[] labels = new byte[n];
            for (int i = 0; i < n; i++) {
                int label = rnd.nextInt(10);
                labels[i] = (byte) label;
                for (int q = 0; q < 784; q++) {
                    int v = rnd.nextInt(64) + (q % 10 == label ? 160 : 0);
                    px[i * 784 + q] = (byte) v;
                }
            }
            try (DataOutputStream out = new DataOutputStream(Files.newOutputStream(dir.resolve(split + "-images-idx3-ubyte")))) {
                out.writeInt(2051);
                out.writeInt(n);
                out.writeInt(28);
                out.writeInt(28);
                out.write(px);
            }
            try (DataOutputStream out = new DataOutputStream(Files.newOutputStream(dir.resolve(split + "-labels-idx1-ubyte")))) {
                out.writeInt(2049);
                out.writeInt(n);
                out.write(labels);
            }
        }
        return dir;
    }

    static List<String> trainArgs(Path data, Path out, int batch, int epochs) {
        return new ArrayList<>(List.of("train", "--data", data.toString(), "--model", "mlp", "--epochs", String.valueOf(epochs),
                "--batch-size", String.valueOf(batch), "--optimizer", "sgd", "--lr", "0.05", "--momentum", "0.9",
                "--schedule", "none", "--seed", "3", "--threads", "1", "--device", "cpu", "--out", out.toString()));
    }

    static Process worker(List<String> args, Path log) throws IOException {
        List<String> cmd = Launcher.command("dev.jtorch.cli.Main", args);
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    static List<String> rank(List<String> base, int rank, int world, int port, int timeoutSeconds) {
        List<String> a = new ArrayList<>(base);
        a.addAll(List.of("--rank", String.valueOf(rank), "--world-size", String.valueOf(world),
                "--master", "127.0.0.1:" + port, "--dist-timeout", String.valueOf(timeoutSeconds)));
        return a;
    }

    static void kill(List<Process> ps) {
        for (Process p : ps) {
            p.destroyForcibly();
        }
    }

    @Test
    void twoProcessesEndWithTheParametersOfOneProcessWithTheGlobalBatch(@TempDir Path tmp) throws Exception {
        // 384 training samples = 6 steps of 2 x 32 per epoch; the test set splits 50/50 between the ranks
        Path data = writeData(tmp.resolve("data"), 384, 100);
        int port = Launcher.freePort();
        List<Process> ps = new ArrayList<>();
        try {
            for (int r = 0; r < 2; r++) {
                ps.add(worker(rank(trainArgs(data, tmp.resolve("out" + r), 32, 2), r, 2, port, 20),
                        tmp.resolve("rank" + r + ".log")));
            }
            for (int r = 0; r < 2; r++) {
                assertTrue(ps.get(r).waitFor(60, TimeUnit.SECONDS), "rank " + r + " did not finish");
                assertEquals(0, ps.get(r).exitValue(), "rank " + r + ": " + Files.readString(tmp.resolve("rank" + r + ".log")));
            }
        } finally {
            kill(ps);
        }
        assertFalse(Files.exists(tmp.resolve("out1")), "rank 1 must write nothing");
        Path out0 = tmp.resolve("out0");
        for (String f : new String[] {"model.pt", "checkpoint.pt", "metrics.jsonl", "eval.json"}) {
            assertTrue(Files.isRegularFile(out0.resolve(f)), f);
        }
        String log0 = Files.readString(tmp.resolve("rank0.log"));
        assertTrue(log0.contains("accuracy"), "rank 0 prints the report: " + log0);

        // one process, batch 64 = 2 x 32, same seed: in this JVM
        Path single = tmp.resolve("single");
        Trainer.run(new TrainConfig(data, Architecture.MLP, 2, 64, TrainConfig.OptimizerKind.SGD, 0.05, 0.9,
                Device.CPU, 3, 1, 0, 0, single, null, TrainConfig.Schedule.NONE), new Trainer.Listener() {},
                () -> false);
        try (TensorScope s = TensorScope.open()) {
            Map<String, Tensor> a = StateDicts.load(out0.resolve("model.pt"));
            Map<String, Tensor> b = StateDicts.load(single.resolve("model.pt"));
            assertEquals(b.keySet(), a.keySet());
            for (String k : a.keySet()) {
                double diff = a.get(k).sub(b.get(k)).abs().max().item();
                assertTrue(diff < 1e-5, k + " differs by " + diff);
            }
        }
        List<String> m2 = Files.readAllLines(out0.resolve("metrics.jsonl"));
        List<String> m1 = Files.readAllLines(single.resolve("metrics.jsonl"));
        assertEquals(m1.size(), m2.size());
        for (int i = 0; i < m1.size(); i++) {
            JsonNode x = JSON.readTree(m1.get(i));
            JsonNode y = JSON.readTree(m2.get(i));
            for (String f : new String[] {"train_loss", "train_accuracy", "test_loss", "test_accuracy"}) {
                assertEquals(x.get(f).asDouble(), y.get(f).asDouble(), 1e-5, "epoch " + (i + 1) + " " + f);
            }
        }
        // training moved the weights at all (so the equality above is not that of two untouched models)
        assertTrue(JSON.readTree(m1.get(1)).get("train_loss").asDouble() < JSON.readTree(m1.get(0)).get("train_loss").asDouble());
    }

    @Test
    void aKilledPeerMakesTheOtherFailClearlyWithinTheTimeout(@TempDir Path tmp) throws Exception {
        Path data = writeData(tmp.resolve("data"), 256, 20);
        int port = Launcher.freePort();
        int timeout = 8;
        List<Process> ps = new ArrayList<>();
        try {
            for (int r = 0; r < 2; r++) {
                ps.add(worker(rank(trainArgs(data, tmp.resolve("out"), 8, 1000), r, 2, port, timeout),
                        tmp.resolve("rank" + r + ".log")));
            }
            Path metrics = tmp.resolve("out").resolve("metrics.jsonl");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(40);
            while (!Files.exists(metrics) || Files.size(metrics) == 0) {
                assertTrue(System.nanoTime() < deadline, "training did not start: "
                        + Files.readString(tmp.resolve("rank0.log")) + Files.readString(tmp.resolve("rank1.log")));
                assertTrue(ps.get(0).isAlive() && ps.get(1).isAlive(), "a worker ended early: "
                        + Files.readString(tmp.resolve("rank0.log")));
                Thread.sleep(100);
            }
            long t0 = System.nanoTime();
            ps.get(1).destroyForcibly(); // SIGKILL mid-training
            assertTrue(ps.get(0).waitFor(timeout + 5, TimeUnit.SECONDS), "rank 0 still running after the timeout");
            double waited = (System.nanoTime() - t0) / 1e9;
            assertEquals(1, ps.get(0).exitValue());
            String log = Files.readString(tmp.resolve("rank0.log"), StandardCharsets.UTF_8);
            assertTrue(log.contains("jtorch train: rank 0 of 2: allReduce(") && log.contains("a peer process died"),
                    log);
            assertFalse(log.contains("\tat "), "no stack trace without --verbose: " + log);
            assertTrue(waited <= timeout + 2, "rank 0 needed " + waited + " s");
        } finally {
            kill(ps);
        }
    }

    @Test
    void nprocStartsLocalWorkers(@TempDir Path tmp) throws Exception {
        Path data = writeData(tmp.resolve("data"), 128, 20);
        List<String> args = trainArgs(data, tmp.resolve("out"), 16, 1);
        args.addAll(List.of("--nproc", "2"));
        Path log = tmp.resolve("launcher.log");
        Process p = worker(args, log);
        try {
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "launcher did not finish");
            assertEquals(0, p.exitValue(), Files.readString(log));
        } finally {
            p.destroyForcibly();
        }
        JsonNode m = JSON.readTree(Files.readAllLines(tmp.resolve("out").resolve("metrics.jsonl")).get(0));
        assertTrue(m.get("test_accuracy").asDouble() >= 0);
        assertTrue(Files.isRegularFile(tmp.resolve("out").resolve("eval.json")));
        String out = Files.readString(log);
        assertEquals(1, out.split("test samples: accuracy", -1).length - 1, "one report, from rank 0: " + out);
    }

}
