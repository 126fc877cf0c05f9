package dev.jtorch.distributed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jtorch.NoLeaks;
import dev.jtorch.Torch;
import dev.jtorch.models.SimpleNN;
import dev.jtorch.nn.Linear;
import dev.jtorch.nn.Module;
import dev.jtorch.nn.functional.F;
import dev.jtorch.tensor.Tensor;
import dev.jtorch.tensor.TensorScope;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Collectives and gradient averaging with two ranks in one JVM (one thread per rank, each with
 * its own Gloo group over loopback): c10d does not care whether its peers are threads or processes.
 */
@ExtendWith(NoLeaks.class)
class ProcessGroupTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    interface RankBody<T> {
        T run(ProcessGroup g) throws Exception;
    }

    /** Runs {@code body} on ranks 0..world-1, each in its own thread and group, and returns their results by rank. */
    static <T> List<T> onRanks(int world, String initMethod, RankBody<T> body) throws Exception {
        return onRanks(world, initMethod, body, TIMEOUT);
    }

    static <T> List<T> onRanks(int world, String initMethod, RankBody<T> body, Duration timeout) throws Exception {
        return onRanks(world, initMethod, Backend.GLOO, body, timeout);
    }

    static <T> List<T> onRanks(int world, String initMethod, Backend backend, RankBody<T> body, Duration timeout)
            throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(world);
        try {
            List<Future<T>> fs = new ArrayList<>();
            for (int r = 0; r < world; r++) {
                int rank = r;
                fs.add(pool.submit(() -> {
                    try (ProcessGroup g = ProcessGroup.init(backend, initMethod, rank, world, timeout)) {
                        return body.run(g);
                    }
                }));
            }
            List<T> out = new ArrayList<>();
            for (Future<T> f : fs) {
                out.add(f.get(60, TimeUnit.SECONDS));
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    static String tcp() throws Exception {
        return ProcessGroup.tcp("127.0.0.1", Launcher.freePort());
    }

    @Test
    void allReduceBroadcastBarrierOverTcp() throws Exception {
        List<double[][]> res = onRanks(2, tcp(), g -> {
            try (TensorScope s = TensorScope.open()) {
                int r = g.rank();
                Tensor sum = Tensor.of(new float[] {r + 1, 10 * (r + 1), -r}, 3);
                Tensor max = Tensor.of(new double[] {r, -r}, 2);
                Tensor min = Tensor.of(new long[] {5 - r}, 1);
                g.allReduce(sum);
                g.allReduce(ReduceOp.MAX, max);
                g.allReduce(ReduceOp.MIN, min);
                Tensor b = Tensor.of(new float[] {100 + r, 200 + r}, 2);
                g.broadcast(1, b);
                g.barrier();
                return new double[][] {sum.toDoubleArray(), max.toDoubleArray(), min.toDoubleArray(), b.toDoubleArray()};
            }
        });
        for (double[][] r : res) {
            assertArrayEquals(new double[] {3, 30, -1}, r[0]);
            assertArrayEquals(new double[] {1, 0}, r[1]);
            assertArrayEquals(new double[] {4}, r[2]);
            assertArrayEquals(new double[] {101, 201}, r[3]);
        }
    }

    @Test
    void fileStoreRendezvous(@TempDir Path dir) throws Exception {
        String init = ProcessGroup.file(dir.resolve("store"));
        List<Double> res = onRanks(3, init, g -> {
            try (TensorScope s = TensorScope.open()) {
                Tensor t = Tensor.of(new double[] {g.rank()}, 1);
                g.allReduce(t);
                assertEquals(3, g.worldSize());
                return t.toDoubleArray()[0];
            }
        });
        assertEquals(List.of(3.0, 3.0, 3.0), res);
    }

    @Test
    void ddpBroadcastsRankZeroWeightsAndAveragesGradients() throws Exception {
        List<double[][]> res = onRanks(2, tcp(), g -> {
            Torch.manualSeed(100 + g.rank()); // different initial weights on purpose
            try (Module m = new SimpleNN(); TensorScope s = TensorScope.open()) {
                double[] before = m.namedParameters().get("fc2.bias").toDoubleArray();
                try (DistributedDataParallel ddp = new DistributedDataParallel(m, g, 4 * (128 * 10 + 10))) {
                    // small buckets: fc1.weight alone, then fc1.bias, then fc2.weight + fc2.bias
                    assertEquals(3, ddp.bucketCount());
                    double[] weights = m.namedParameters().get("fc2.bias").toDoubleArray();
                    Tensor x = Tensor.ones(2, 784).mul(g.rank() + 1);
                    Tensor labels = Tensor.of(new long[] {g.rank(), 3}, 2);
                    F.crossEntropy(m.forward(x), labels).backward();
                    double[] localGrad = m.namedParameters().get("fc1.weight").grad().flatten().toDoubleArray();
                    boolean anyStop = ddp.syncGradients(g.rank() == 1);
                    double[] meanGrad = m.namedParameters().get("fc1.weight").grad().flatten().toDoubleArray();
                    return new double[][] {before, weights, localGrad, meanGrad, {anyStop ? 1 : 0}};
                }
            }
        });
        double[][] r0 = res.get(0);
        double[][] r1 = res.get(1);
        assertTrue(Math.abs(r0[0][0] - r1[0][0]) > 1e-6, "the test needs different initial weights");
        assertArrayEquals(r0[0], r0[1], 0.0, "rank 0 keeps its weights");
        assertArrayEquals(r0[0], r1[1], 0.0, "rank 1 receives rank 0's weights");
        for (int i = 0; i < r0[2].length; i++) {
            double mean = (r0[2][i] + r1[2][i]) / 2;
            assertEquals(mean, r0[3][i], 1e-7);
            assertEquals(mean, r1[3][i], 1e-7);
        }
        assertEquals(1.0, r0[4][0], "rank 1's flag reaches rank 0");
        assertEquals(1.0, r1[4][0]);
    }

    @Test
    void parameterWithoutGradientReceivesTheMean() throws Exception {
        List<double[]> res = onRanks(2, tcp(), g -> {
            Torch.manualSeed(1);
            try (Linear m = new Linear(3, 1); TensorScope s = TensorScope.open();
                 DistributedDataParallel ddp = new DistributedDataParallel(m, g)) {
                assertEquals(1, ddp.bucketCount());
                if (g.rank() == 0) {
                    m.forward(Tensor.ones(1, 3)).sum().backward(); // rank 1 computes no gradient at all
                }
                assertTrue(!ddp.syncGradients(false));
                return m.namedParameters().get("weight").grad().flatten().toDoubleArray();
            }
        });
        assertArrayEquals(new double[] {0.5, 0.5, 0.5}, res.get(0), 1e-7);
        assertArrayEquals(new double[] {0.5, 0.5, 0.5}, res.get(1), 1e-7);
    }

    @Test
    void missingPeerFailsWithinTheTimeout() throws Exception {
        String init = tcp();
        long t0 = System.nanoTime();
        DistributedException e = assertThrows(DistributedException.class,
                () -> ProcessGroup.init(Backend.GLOO, init, 0, 2, Duration.ofSeconds(2)).close());
        double s = (System.nanoTime() - t0) / 1e9;
        assertTrue(s < 10, "took " + s + " s");
        assertTrue(e.getMessage().contains("rank 0 of 2") && e.getMessage().contains("not every rank joined"),
                e.getMessage());
    }

    @Test
    void stalledPeerTimesOutACollective() throws Exception {
        String init = tcp();
        List<String> res = onRanks(2, init, g -> {
            if (g.rank() == 1) {
                Thread.sleep(4000); // alive but silent: rank 0 must give up after its 1.5 s timeout
                return "";
            }
            try (TensorScope s = TensorScope.open()) {
                long t0 = System.nanoTime();
                DistributedException e = assertThrows(DistributedException.class, () -> g.allReduce(Tensor.ones(4)));
                double secs = (System.nanoTime() - t0) / 1e9;
                assertTrue(secs < 3.5, "allReduce gave up after " + secs + " s");
                return e.getMessage();
            }
        }, Duration.ofMillis(1500));
        assertTrue(res.get(0).contains("rank 0 of 2: allReduce(4 float32 values, SUM)"), res.get(0));
        assertTrue(res.get(0).contains("did not answer within the timeout of 1.5 s"), res.get(0));
    }

    @Test
    void badArguments(@TempDir Path dir) {
        assertThrows(IllegalArgumentException.class, () -> ProcessGroup.init(Backend.GLOO, "http://x:1", 0, 1, TIMEOUT));
        assertThrows(IllegalArgumentException.class, () -> ProcessGroup.init(Backend.GLOO, "tcp://x", 0, 1, TIMEOUT));
        assertThrows(IllegalArgumentException.class, () -> ProcessGroup.init(Backend.GLOO, "tcp://x:1", 2, 2, TIMEOUT));
        assertThrows(IllegalArgumentException.class, () -> ProcessGroup.init(Backend.GLOO, "tcp://x:1", 0, 1, Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> Backend.parse("mpi"));
        assertTrue(Files.isDirectory(dir));
    }
}
