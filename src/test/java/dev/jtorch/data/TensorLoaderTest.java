package dev.jtorch.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jtorch.DType;
import dev.jtorch.tensor.Tensor;
import dev.jtorch.tensor.TensorScope;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** In-memory data sets and their loader: shapes, order, shuffling, copies, errors, no leaks. */
@org.junit.jupiter.api.extension.ExtendWith(dev.jtorch.NoLeaks.class)
class TensorLoaderTest {
    /** Ten samples of 2x3 whose values encode their index: sample i holds i*10 + 0..5. */
    private static TensorDataset ten() {
        float[] x = new float[10 * 6];
        long[] y = new long[10];
        for (int i = 0; i < 10; i++) {
            y[i] = i % 3;
            for (int j = 0; j < 6; j++) {
                x[i * 6 + j] = i * 10 + j;
            }
        }
        return TensorDataset.of(x, new long[] {2, 3}, y);
    }

    /** The sample indices of each batch of an epoch, read back from the values. */
    private static List<int[]> epoch(TensorLoader loader, int e) {
        List<int[]> out = new ArrayList<>();
        loader.forEachBatch(e, b -> {
            assertEquals(DType.FLOAT32, b.inputs().dtype());
            assertEquals(List.of((long) b.size(), 2L, 3L), Arrays.stream(b.inputs().shape().toArray()).boxed().toList());
            assertEquals(DType.INT64, b.targets().dtype());
            float[] x = b.inputs().toFloatArray();
            long[] y = b.targets().toLongArray();
            int[] idx = new int[b.size()];
            for (int i = 0; i < b.size(); i++) {
                idx[i] = (int) (x[i * 6] / 10);
                assertEquals(idx[i] % 3, y[i], "label travels with its sample");
                assertEquals(idx[i] * 10 + 5, x[i * 6 + 5]);
            }
            out.add(idx);
        });
        return out;
    }

    @Test
    void batchesInOrderWithASmallerLastOne() {
        try (TensorLoader l = TensorLoader.builder(ten()).batchSize(4).build()) {
            assertEquals(3, l.numBatches());
            List<int[]> bs = epoch(l, 0);
            assertArrayEquals(new int[] {0, 1, 2, 3}, bs.get(0));
            assertArrayEquals(new int[] {8, 9}, bs.get(2));
        }
        try (TensorLoader l = TensorLoader.builder(ten()).batchSize(4).dropLast(true).build()) {
            assertEquals(2, l.numBatches());
            assertEquals(2, epoch(l, 0).size());
        }
    }

    @Test
    void shuffleDependsOnSeedAndEpochOnlyAndVisitsEverySampleOnce() {
        TensorLoader a = TensorLoader.builder(ten()).batchSize(3).shuffle(true).seed(5).build();
        TensorLoader b = TensorLoader.builder(ten()).batchSize(7).shuffle(true).seed(5).build();
        int[] a0 = epoch(a, 0).stream().flatMapToInt(Arrays::stream).toArray();
        int[] b0 = epoch(b, 0).stream().flatMapToInt(Arrays::stream).toArray();
        assertArrayEquals(a0, b0, "the order does not depend on the batch size");
        assertArrayEquals(a.permutation(0), a0);
        assertNotEquals(Arrays.toString(a0), Arrays.toString(a.permutation(1)));
        int[] sorted = a0.clone();
        Arrays.sort(sorted);
        assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, sorted);
        assertArrayEquals(Sampler.permutation(10, true, 5, 0), a0, "DataLoader's generator");
    }

    @Test
    void fromTensorsAndForRegression() {
        try (TensorScope s = TensorScope.open()) {
            Tensor x = Tensor.arange(12).to(DType.FLOAT64).reshape(4, 3);
            Tensor y = Tensor.of(new int[] {1, 0, 1, 0}, 4);
            TensorDataset d = TensorDataset.of(x, y);
            assertTrue(d.classification());
            assertEquals(4, d.size());
            assertArrayEquals(new long[] {3}, d.sampleShape());
            TensorDataset r = TensorDataset.of(x, x.sum(1, true));
            assertTrue(!r.classification());
            assertArrayEquals(new long[] {1}, r.targetShape());
        }
        TensorDataset reg = TensorDataset.ofRegression(new float[] {1, 2, 3, 4}, new long[] {2}, new float[] {3, 7},
                new long[0]);
        try (TensorLoader l = TensorLoader.builder(reg).batchSize(2).build()) {
            l.forEachBatch(0, b -> {
                assertEquals(DType.FLOAT32, b.targets().dtype());
                assertArrayEquals(new float[] {3, 7}, b.targets().toFloatArray());
            });
        }
    }

    @Test
    void theArraysAreCopied() {
        float[] x = {1, 2};
        long[] y = {0, 1};
        TensorDataset d = TensorDataset.of(x, new long[] {1}, y);
        x[0] = 99;
        y[0] = 5;
        try (TensorLoader l = TensorLoader.builder(d).batchSize(2).build()) {
            l.forEachBatch(0, b -> {
                assertArrayEquals(new float[] {1, 2}, b.inputs().toFloatArray());
                assertArrayEquals(new long[] {0, 1}, b.targets().toLongArray());
            });
        }
    }

    @Test
    void badShapesAreNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TensorDataset.of(new float[7], new long[] {2, 3}, new long[1]));
        assertTrue(e.getMessage().contains("[2, 3]") && e.getMessage().contains("7"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> TensorDataset.of(new float[12], new long[] {6}, new long[3]));
        assertTrue(e.getMessage().contains("2 samples") && e.getMessage().contains("3 target"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> TensorDataset.of(new float[6], new long[] {0, 6}, new long[1]));
        assertTrue(e.getMessage().contains("positive"), e.getMessage());
        try (TensorScope s = TensorScope.open()) {
            e = assertThrows(IllegalArgumentException.class, () -> TensorDataset.of(Tensor.zeros(3, 2), Tensor.zeros(4)));
            assertTrue(e.getMessage().contains("[3, 2]") && e.getMessage().contains("[4]"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> TensorLoader.builder(ten()).batchSize(0));
        assertThrows(IllegalArgumentException.class, () -> TensorLoader.builder(ten()).batchSize(11).dropLast(true).build());
        TensorLoader closed = TensorLoader.builder(ten()).build();
        closed.close();
        assertThrows(IllegalStateException.class, () -> closed.forEachBatch(0, b -> { }));
    }
}
