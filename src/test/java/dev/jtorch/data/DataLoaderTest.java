package dev.jtorch.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jtorch.DType;
import dev.jtorch.Device;
import dev.jtorch.Torch;
import dev.jtorch.tensor.Shape;
import dev.jtorch.tensor.TensorScope;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class DataLoaderTest {
    private long liveBefore;

    @BeforeEach
    void before() {
        Torch.init();
        liveBefore = Torch.liveHandles();
    }

    @AfterEach
    void noLeaks() {
        assertEquals(liveBefore, Torch.liveHandles(), "native handles leaked by this test");
        assertEquals(List.of(), prefetchThreads(), "prefetch threads left running");
    }

    /** n samples of 2x3x2 (C x H x W), pixel (i, j) = (7 i + 13 j) mod 256, label i mod 3. */
    static Dataset synthetic(int n) {
        int s = 2 * 3 * 2;
        byte[] px = new byte[n * s];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % 3;
            for (int j = 0; j < s; j++) {
                px[i * s + j] = (byte) ((7 * i + 13 * j) % 256);
            }
        }
        return new Dataset("synthetic", px, labels, 2, 3, 2, List.of("a", "b", "c"), null);
    }

    static List<Thread> prefetchThreads() {
        List<Thread> out = new ArrayList<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith("jtorch-prefetch-") && t.isAlive()) {
                out.add(t);
            }
        }
        return out;
    }

    /** Every batch of an epoch as Java arrays: [images floats..., labels] per batch. */
    static List<Object[]> collect(DataLoader loader, int epoch) {
        List<Object[]> out = new ArrayList<>();
        loader.forEachBatch(epoch, b -> {
            assertEquals(DType.FLOAT32, b.images().dtype());
            assertEquals(DType.INT64, b.labels().dtype());
            assertEquals(b.size(), b.images().size(0));
            assertEquals(b.size(), b.labels().size(0));
            out.add(new Object[] {b.images().toFloatArray(), b.labels().toLongArray(), b.images().shape()});
        });
        return out;
    }

    @Test
    void permutationIsAPermutationDependingOnSeedAndEpochOnly() {
        Dataset d = synthetic(1000);
        try (DataLoader a = DataLoader.builder(d).shuffle(true).seed(42).build();
             DataLoader b = DataLoader.builder(d).shuffle(true).seed(42).batchSize(7).dropLast(true).prefetch(0)
                     .deviceResident(true).build();
             DataLoader other = DataLoader.builder(d).shuffle(true).seed(43).build()) {
            int[] p3 = a.sampler().permutation(3);
            int[] sorted = p3.clone();
            Arrays.sort(sorted);
            int[] identity = new int[1000];
            Arrays.setAll(identity, i -> i);
            assertArrayEquals(identity, sorted, "a permutation of 0..n-1");
            assertFalse(Arrays.equals(identity, p3), "shuffled");
            // Same (seed, epoch): same order whatever the other settings and whatever came before.
            assertArrayEquals(p3, b.sampler().permutation(3));
            assertArrayEquals(p3, a.sampler().permutation(3));
            for (int e = 0; e < 3; e++) {
                b.sampler().permutation(e);
            }
            assertArrayEquals(p3, b.sampler().permutation(3));
            // Another epoch or another seed: another order.
            assertFalse(Arrays.equals(p3, a.sampler().permutation(4)));
            assertFalse(Arrays.equals(p3, other.sampler().permutation(3)));
            assertFalse(Arrays.equals(a.sampler().permutation(0), a.sampler().permutation(1)));
        }
        try (DataLoader plain = DataLoader.builder(d).build()) {
            int[] p = plain.sampler().permutation(5);
            for (int i = 0; i < p.length; i++) {
                assertEquals(i, p[i]);
            }
        }
    }

    @Test
    void permutationIsPinned() {
        // The generator is part of the resume contract: these orders must never change. They come
        // from a Python re-implementation of the documented algorithm (scripts/make_data_fixtures.py).
        for (var p : TestData.expected().get("permutations")) {
            assertArrayEquals(TestData.ints(p.get("permutation")), Sampler.permutation(p.get("n").asInt(), true,
                    p.get("seed").asLong(), p.get("epoch").asInt()), p.toString());
        }
    }

    @Test
    void batchesFollowThePermutationAndCoverEverySampleOnce() {
        Dataset d = synthetic(103);
        try (DataLoader loader = DataLoader.builder(d).batchSize(10).shuffle(true).seed(7).build()) {
            assertEquals(11, loader.numBatches());
            assertEquals(103, loader.sampler().samplesPerEpoch());
            List<Object[]> batches = collect(loader, 2);
            assertEquals(11, batches.size());
            int[] perm = loader.sampler().permutation(2);
            int k = 0;
            for (int b = 0; b < batches.size(); b++) {
                long[] labels = (long[]) batches.get(b)[1];
                float[] images = (float[]) batches.get(b)[0];
                assertEquals(b < 10 ? 10 : 3, labels.length, "batch " + b);
                assertEquals(Shape.of(labels.length, 2, 3, 2), batches.get(b)[2]);
                for (int i = 0; i < labels.length; i++, k++) {
                    assertEquals(d.label(perm[k]), labels[i]);
                    byte[] img = d.image(perm[k]);
                    for (int j = 0; j < img.length; j++) {
                        assertEquals((img[j] & 0xFF) / 255f, images[i * 12 + j]);
                    }
                }
            }
            assertEquals(103, k);
            // Seeded repeatability: a second pass, and a second loader, see the same batches.
            assertBatchesEqual(batches, collect(loader, 2));
            try (DataLoader again = DataLoader.builder(d).batchSize(10).shuffle(true).seed(7).prefetch(5).build()) {
                assertBatchesEqual(batches, collect(again, 2));
                assertFalse(Arrays.equals((long[]) batches.get(0)[1], (long[]) collect(again, 3).get(0)[1]));
            }
        }
    }

    @Test
    void dropLastDropsTheSmallBatch() {
        Dataset d = synthetic(103);
        try (DataLoader loader = DataLoader.builder(d).batchSize(10).dropLast(true).build()) {
            assertEquals(10, loader.numBatches());
            assertEquals(100, loader.sampler().samplesPerEpoch());
            List<Object[]> batches = collect(loader, 0);
            assertEquals(10, batches.size());
            for (Object[] b : batches) {
                assertEquals(10, ((long[]) b[1]).length);
            }
        }
        try (DataLoader exact = DataLoader.builder(synthetic(100)).batchSize(10).build()) {
            assertEquals(10, exact.numBatches());
            assertEquals(10, ((long[]) collect(exact, 0).get(9)[1]).length);
        }
        try (DataLoader big = DataLoader.builder(synthetic(5)).batchSize(10).dropLast(true).build()) {
            assertEquals(0, big.numBatches());
            assertTrue(collect(big, 0).isEmpty());
        }
    }

    @Test
    void aBatchLargerThanTheDataSetIsOneBatchOfEverySample() {
        // PyTorch's DataLoader: batch_size > len(dataset) gives one batch holding all samples,
        // up to the largest int (where n + batchSize - 1 overflows)
        for (int batch : new int[] {6, 1 << 30, Integer.MAX_VALUE - 1, Integer.MAX_VALUE}) {
            try (DataLoader loader = DataLoader.builder(synthetic(5)).batchSize(batch).shuffle(true).seed(1).build()) {
                assertEquals(1, loader.numBatches(), "batch " + batch);
                assertEquals(5, loader.sampler().samplesPerEpoch());
                List<Object[]> batches = collect(loader, 1);
                assertEquals(1, batches.size());
                assertEquals(5, ((long[]) batches.get(0)[1]).length);
            }
            try (DataLoader drop = DataLoader.builder(synthetic(5)).batchSize(batch).dropLast(true).build()) {
                assertEquals(0, drop.numBatches());
            }
        }
        try (DataLoader sharded = DataLoader.builder(synthetic(5)).batchSize(Integer.MAX_VALUE).shard(1, 2).build()) {
            assertEquals(1, sharded.numBatches());
        }
    }

    @Test
    void valuesAreScaledToUnitRangeAndNormalisedPerChannel() {
        Dataset cifar = Cifar10.readBatch(TestData.file("cifar-10/test_batch.bin"));
        double[] mean = {0.4914, 0.4822, 0.4465};
        double[] std = {0.2470, 0.2435, 0.2616};
        try (DataLoader plain = DataLoader.builder(cifar).batchSize(5).build();
             DataLoader norm = DataLoader.builder(cifar).batchSize(5).normalize(mean, std).build()) {
            float[] x = (float[]) collect(plain, 0).get(0)[0];
            float[] y = (float[]) collect(norm, 0).get(0)[0];
            byte[] px = new byte[cifar.size() * cifar.sampleSize()];
            cifar.pixels().get(px);
            boolean sawZero = false;
            boolean sawOne = false;
            for (int i = 0; i < x.length; i++) {
                int c = (i / 1024) % 3;
                float unit = (px[i] & 0xFF) / 255f;
                assertEquals(unit, x[i]);
                assertTrue(x[i] >= 0 && x[i] <= 1);
                sawZero |= x[i] == 0f;
                sawOne |= x[i] == 1f;
                // float32 arithmetic, as torchvision's ToTensor + Normalize computes it.
                assertEquals((unit - (float) mean[c]) / (float) std[c], y[i], "element " + i);
            }
            assertTrue(sawZero && sawOne, "the fixture spans 0..255");
        }
        try (DataLoader one = DataLoader.builder(synthetic(4)).normalize(new double[] {0.5}, new double[] {0.5}).build()) {
            float[] z = (float[]) collect(one, 0).get(0)[0];
            assertEquals(-1f, z[0]); // pixel 0 -> (0 - 0.5) / 0.5
        }
    }

    @Test
    void deviceResidentAndHostPathsGiveIdenticalBatches() {
        Dataset cifar = Cifar10.readBatch(TestData.file("cifar-10/test_batch.bin"));
        for (Dataset d : List.of(synthetic(103), cifar)) {
            double[] mean = new double[d.channels()];
            double[] std = new double[d.channels()];
            Arrays.fill(mean, 0.3);
            Arrays.fill(std, 0.7);
            for (boolean normalise : new boolean[] {false, true}) {
                DataLoader.Builder host = DataLoader.builder(d).batchSize(4).shuffle(true).seed(3);
                DataLoader.Builder dev = DataLoader.builder(d).batchSize(4).shuffle(true).seed(3).deviceResident(true)
                        .device(Device.CPU);
                if (normalise) {
                    host.normalize(mean, std);
                    dev.normalize(mean, std);
                }
                long live = Torch.liveHandles();
                try (DataLoader a = host.build(); DataLoader b = dev.build()) {
                    assertTrue(b.deviceResident());
                    assertTrue(Torch.liveHandles() > live, "the resident copy holds native tensors");
                    for (int e = 0; e < 2; e++) {
                        assertBatchesEqual(collect(a, e), collect(b, e));
                    }
                }
                assertEquals(live, Torch.liveHandles(), "close() frees the resident copy");
            }
        }
    }

    private static void assertBatchesEqual(List<Object[]> want, List<Object[]> got) {
        assertEquals(want.size(), got.size());
        for (int i = 0; i < want.size(); i++) {
            assertArrayEquals((float[]) want.get(i)[0], (float[]) got.get(i)[0], "images of batch " + i);
            assertArrayEquals((long[]) want.get(i)[1], (long[]) got.get(i)[1], "labels of batch " + i);
            assertEquals(want.get(i)[2], got.get(i)[2]);
        }
    }

    @Test
    void batchTensorsBelongToTheConsumersCurrentScope() {
        try (DataLoader loader = DataLoader.builder(synthetic(50)).batchSize(8).build()) {
            for (boolean resident : new boolean[] {false, true}) {
                try (DataLoader l = resident ? DataLoader.builder(synthetic(50)).batchSize(8).deviceResident(true).build()
                        : loader) {
                    long base = Torch.liveHandles();
                    try (var it = l.epoch(0).iterator()) {
                        while (it.hasNext()) {
                            try (TensorScope s = TensorScope.open()) {
                                Batch b = it.next();
                                assertEquals(2, s.size(), "exactly the two batch tensors, intermediates freed");
                                assertEquals(base + 2, Torch.liveHandles());
                                assertFalse(b.images().isClosed());
                            }
                            assertEquals(base, Torch.liveHandles());
                        }
                    }
                    if (l == loader) {
                        break;
                    }
                }
            }
        }
    }

    @Test
    void nextWithoutAScopeIsAClearError() {
        try (DataLoader loader = DataLoader.builder(synthetic(10)).batchSize(4).build()) {
            var it = loader.epoch(0).iterator();
            IllegalStateException e = assertThrows(IllegalStateException.class, it::next);
            assertTrue(e.getMessage().contains("no TensorScope is open"), e.getMessage());
            try (TensorScope s = TensorScope.open()) {
                assertEquals(4, it.next().size(), "nothing was consumed by the failed call");
            }
            it.close();
            assertFalse(it.hasNext());
            assertThrows(NoSuchElementException.class, it::next);
        }
    }

    @Test
    void prefetchThreadEndsAfterAFullPass() {
        try (DataLoader loader = DataLoader.builder(synthetic(100)).batchSize(10).prefetch(3).build()) {
            Iterator<Batch> it = loader.epoch(0).iterator();
            assertEquals(1, prefetchThreads().size(), "started with the pass");
            try (TensorScope s = TensorScope.open()) {
                while (it.hasNext()) {
                    it.next();
                }
            }
            assertEquals(List.of(), prefetchThreads(), "joined when the last batch was taken");
        }
    }

    @Test
    void prefetchThreadEndsWhenThePassIsAbandoned() throws InterruptedException {
        try (DataLoader loader = DataLoader.builder(synthetic(100)).batchSize(10).prefetch(1).build()) {
            // Closed iterator.
            var it = loader.epoch(0).iterator();
            try (TensorScope s = TensorScope.open()) {
                it.next();
            }
            it.close();
            assertEquals(List.of(), prefetchThreads());

            // Closed loader, with a pass still open (its thread blocked on a full queue).
            DataLoader other = DataLoader.builder(synthetic(100)).batchSize(10).prefetch(1).build();
            var open = other.epoch(0).iterator();
            assertEquals(1, prefetchThreads().size());
            other.close();
            assertEquals(List.of(), prefetchThreads());
            assertThrows(IllegalStateException.class, () -> {
                try (TensorScope s = TensorScope.open()) {
                    open.next();
                }
            });
            assertThrows(IllegalStateException.class, () -> other.epoch(1));

            // A for-each loop left with break: the iterator becomes garbage, its thread stops.
            try (TensorScope s = TensorScope.open()) {
                for (Batch b : loader.epoch(1)) {
                    break;
                }
            }
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (!prefetchThreads().isEmpty() && System.nanoTime() < deadline) {
                System.gc();
                Thread.sleep(20);
            }
            assertEquals(List.of(), prefetchThreads(), "an abandoned pass's thread is stopped after GC");
        }
    }

    @Test
    void aFailingPrefetchThreadPropagatesItsException() {
        RuntimeException boom = new IllegalStateException("boom at batch 3");
        AtomicInteger calls = new AtomicInteger();
        for (int prefetch : new int[] {2, 0}) {
            try (DataLoader loader = DataLoader.builder(synthetic(100)).batchSize(10).prefetch(prefetch)
                    .producerHook(b -> {
                        calls.incrementAndGet();
                        if (b == 3) {
                            throw boom;
                        }
                    }).build()) {
                var it = loader.epoch(0).iterator();
                int got = 0;
                try (TensorScope s = TensorScope.open()) {
                    RuntimeException e = assertThrows(RuntimeException.class, () -> {
                        while (it.hasNext()) {
                            it.next();
                        }
                    });
                    assertSame(boom, e);
                }
                assertFalse(it.hasNext(), "a failed pass is over");
                assertEquals(List.of(), prefetchThreads());
            }
        }
        assertTrue(calls.get() >= 8);
    }

    @Test
    void builderChecksItsSettings() {
        Dataset d = synthetic(10);
        assertThrows(IllegalArgumentException.class, () -> DataLoader.builder(d).batchSize(0).build());
        assertThrows(IllegalArgumentException.class, () -> DataLoader.builder(d).prefetch(-1).build());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DataLoader.builder(d).normalize(new double[] {1, 2, 3}, new double[] {1}).build());
        assertTrue(e.getMessage().contains("1 or 2 values"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> DataLoader.builder(d).normalize(new double[] {0}, new double[] {0}).build());
        try (DataLoader l = DataLoader.builder(d).build()) {
            assertEquals(64, l.batchSize());
            assertEquals(Device.CPU, l.device());
            assertSame(d, l.dataset());
            assertNotEquals(null, l.epoch(0));
        }
    }
}
