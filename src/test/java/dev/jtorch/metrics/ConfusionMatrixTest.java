package dev.jtorch.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jtorch.DType;
import dev.jtorch.Device;
import dev.jtorch.Torch;
import dev.jtorch.tensor.Shape;
import dev.jtorch.tensor.Tensor;
import dev.jtorch.tensor.TensorScope;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link ConfusionMatrix}: batches add up, errors are clear, nothing leaks. */
class ConfusionMatrixTest {
    private long handlesBefore;

    @BeforeEach
    void recordHandles() {
        Torch.init();
        handlesBefore = Torch.liveHandles();
    }

    @AfterEach
    void nothingLeaks() {
        assertEquals(handlesBefore, Torch.liveHandles(), "native handles leaked by the test");
    }

    @Test
    void batchesSumToTheWholeAndMatchAJavaCount() {
        int c = 7;
        Random rnd = new Random(3);
        long[][] expected = new long[c][c];
        try (ConfusionMatrix m = new ConfusionMatrix(c)) {
            assertNull(m.device());
            assertArrayEquals(new long[c][c], m.counts(), "empty before the first batch");
            long n = 0;
            for (int b = 0; b < 9; b++) {
                int size = b == 4 ? 0 : 1 + rnd.nextInt(50);
                long[] t = new long[size], p = new long[size];
                for (int i = 0; i < size; i++) {
                    t[i] = rnd.nextInt(c);
                    p[i] = rnd.nextInt(c);
                    expected[(int) t[i]][(int) p[i]]++;
                }
                n += size;
                try (TensorScope s = TensorScope.open()) {
                    // (Tensor.of cannot make empty tensors yet: use zeros for the empty batch)
                    Tensor pt = size == 0 ? Tensor.zeros(Shape.of(0), DType.INT64, Device.CPU) : Tensor.of(p, size);
                    Tensor tt = size == 0 ? Tensor.zeros(Shape.of(0), DType.INT64, Device.CPU) : Tensor.of(t, size);
                    m.update(pt, tt);
                    assertEquals(2, s.size(), "update leaves nothing in the caller's scope");
                }
            }
            assertArrayEquals(expected, m.counts());
            assertEquals(n, m.total());
            assertEquals(Device.CPU, m.device());
            m.reset();
            assertArrayEquals(new long[c][c], m.counts());
            assertEquals(0, m.total());
        }
    }

    @Test
    void updateNeedsNoOpenScopeForItsIntermediates() {
        try (ConfusionMatrix m = new ConfusionMatrix(3)) {
            Tensor p, t;
            try (TensorScope s = TensorScope.open()) {
                p = s.keep(Tensor.of(new int[] {0, 1, 2, 2}, 4));
                t = s.keep(Tensor.of(new long[] {0, 2, 2, 1}, 4));
            }
            try {
                m.update(p, t);
            } finally {
                p.close();
                t.close();
            }
            assertArrayEquals(new long[][] {{1, 0, 0}, {0, 0, 1}, {0, 1, 1}}, m.counts());
        }
    }

    @Test
    void errorsNameShapesAndClasses() {
        try (ConfusionMatrix m = new ConfusionMatrix(3); TensorScope s = TensorScope.open()) {
            Tensor ok = Tensor.of(new long[] {0, 1, 2}, 3);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> m.update(Tensor.of(new long[] {0, 1}, 2), ok));
            assertTrue(e.getMessage().contains("[2]") && e.getMessage().contains("[3]"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> m.update(ok.view(1, 3), ok));
            assertTrue(e.getMessage().contains("1-D") && e.getMessage().contains("[1, 3]"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> m.update(Tensor.of(new long[] {0, 3, 1}, 3), ok));
            assertTrue(e.getMessage().contains("predictedClasses holds class 3") && e.getMessage().contains("[0, 3)"),
                    e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> m.update(ok, Tensor.of(new long[] {0, -1, 1}, 3)));
            assertTrue(e.getMessage().contains("targets holds class -1"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> m.update(ok.to(DType.FLOAT32), ok));
            assertTrue(e.getMessage().contains("integer") && e.getMessage().contains("float32"), e.getMessage());
            assertArrayEquals(new long[3][3], m.counts(), "failed updates count nothing");
            assertThrows(IllegalArgumentException.class, () -> new ConfusionMatrix(0));
        }
    }

    @Test
    void closeIsIdempotentAndUseAfterCloseThrows() {
        ConfusionMatrix m = new ConfusionMatrix(2);
        try (TensorScope s = TensorScope.open()) {
            m.update(Tensor.of(new long[] {0, 1}, 2), Tensor.of(new long[] {1, 1}, 2));
        }
        assertEquals(handlesBefore + 1, Torch.liveHandles(), "one accumulator outlives the scope");
        m.close();
        m.close();
        assertEquals(handlesBefore, Torch.liveHandles());
        assertThrows(IllegalStateException.class, m::counts);
        try (TensorScope s = TensorScope.open()) {
            Tensor t = Tensor.of(new long[] {0}, 1);
            assertThrows(IllegalStateException.class, () -> m.update(t, t));
        }
    }

    @Test
    void reportFromCounts() {
        try (ConfusionMatrix m = new ConfusionMatrix(2); TensorScope s = TensorScope.open()) {
            m.update(Tensor.of(new long[] {0, 0, 1, 1}, 4), Tensor.of(new long[] {0, 1, 1, 1}, 4));
            ClassificationReport r = m.report(List.of("cat", "dog"));
            assertEquals(0.75, r.accuracy());
            assertEquals("dog", r.perClass().get(1).label());
            assertEquals(0.5, r.perClass().get(0).precision());
            assertEquals(1.0, r.perClass().get(1).precision());
            assertEquals(2.0 / 3.0, r.perClass().get(1).recall());
        }
    }

    @Test
    void classificationReportValidatesItsMatrix() {
        assertThrows(IllegalArgumentException.class, () -> ClassificationReport.of(new long[0][0], null));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ClassificationReport.of(new long[][] {{1, 2}, {3}}, null));
        assertTrue(e.getMessage().contains("row 1"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ClassificationReport.of(new long[2][2], null));
        assertTrue(e.getMessage().contains("no sample"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ClassificationReport.of(new long[][] {{1, -1}, {0, 1}}, null));
        assertTrue(e.getMessage().contains("confusion[0][1]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ClassificationReport.of(new long[][] {{1}}, List.of("a", "b")));
        assertTrue(e.getMessage().contains("2 labels"), e.getMessage());
        assertEquals("1", ClassificationReport.of(new long[][] {{1, 0}, {0, 1}}, null).perClass().get(1).label());
    }

    @Test
    void largeBatchOnUint8Labels() {
        // any integer dtype works; a million samples stay exact in the int64 counts
        int n = 1_000_000;
        byte[] t = new byte[n];
        for (int i = 0; i < n; i++) {
            t[i] = (byte) (i % 10);
        }
        try (ConfusionMatrix m = new ConfusionMatrix(10); TensorScope s = TensorScope.open()) {
            Tensor tt = Tensor.ofUnsigned(t, n);
            m.update(tt, tt);
            long[][] cm = m.counts();
            for (int k = 0; k < 10; k++) {
                assertEquals(n / 10, cm[k][k]);
            }
            assertEquals(1.0, m.report(null).accuracy());
        }
    }
}
