package dev.jtorch.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jtorch.DType;
import dev.jtorch.Device;
import dev.jtorch.Torch;
import dev.jtorch.TorchException;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The shape, masking, selection and counting ops that models and metrics reach for. */
class TensorBreadthTest {
    private long baseline;
    private TensorScope scope;

    @BeforeEach
    void open() {
        baseline = Torch.liveHandles();
        scope = TensorScope.open();
    }

    @AfterEach
    void close() {
        scope.close();
        assertEquals(baseline, Torch.liveHandles(), "native handles leaked");
    }

    private static Tensor range(long... shape) {
        long n = Shape.of(shape).numel();
        return Tensor.arange(0, n, 1, DType.FLOAT32, Device.CPU).view(shape);
    }

    @Test
    void permuteReordersDimensionsAsAView() {
        Tensor x = range(2, 3, 4);
        Tensor p = x.permute(2, 0, 1);
        assertEquals(Shape.of(4, 2, 3), p.shape());
        // p[k][i][j] == x[i][j][k]
        assertEquals(x.select(0, 1).select(0, 2).select(0, 3).item(), p.select(0, 3).select(0, 1).select(0, 2).item());
        assertThrows(TorchException.class, () -> x.permute(0, 1));
    }

    @Test
    void transposeSwapsTwoDimensions() {
        Tensor x = range(2, 3);
        assertArrayEquals(new float[] {0, 3, 1, 4, 2, 5}, x.transpose(0, 1).contiguous().toFloatArray());
    }

    @Test
    void squeezeAndUnsqueeze() {
        Tensor x = range(1, 3, 1);
        assertEquals(Shape.of(3), x.squeeze().shape());
        assertEquals(Shape.of(3, 1), x.squeeze(0).shape());
        assertEquals(Shape.of(1, 3, 1), x.squeeze(1).shape(), "a dimension of size 3 is left alone");
        assertEquals(Shape.of(1, 1, 3, 1), x.unsqueeze(0).shape());
        assertEquals(Shape.of(1, 3, 1, 1), x.unsqueeze(-1).shape());
    }

    @Test
    void catJoinsAlongAnExistingDimension() {
        Tensor a = range(2, 2);
        Tensor b = range(1, 2).add(10);
        Tensor c = Tensor.cat(List.of(a, b), 0);
        assertEquals(Shape.of(3, 2), c.shape());
        assertArrayEquals(new float[] {0, 1, 2, 3, 10, 11}, c.toFloatArray());
        assertEquals(Shape.of(2, 4), Tensor.cat(List.of(a, a), 1).shape());
    }

    @Test
    void catOfMismatchedShapesNamesThem() {
        Tensor a = range(2, 2);
        Tensor b = range(2, 3);
        TorchException e = assertThrows(TorchException.class, () -> Tensor.cat(List.of(a, b), 0));
        assertTrue(e.getMessage().contains("[2, 2]") && e.getMessage().contains("[2, 3]"), e.getMessage());
        TorchException empty = assertThrows(TorchException.class, () -> Tensor.cat(List.of(), 0));
        assertTrue(empty.getMessage().contains("non-empty"), empty.getMessage());
    }

    @Test
    void stackAddsADimension() {
        Tensor a = range(3);
        Tensor s = Tensor.stack(List.of(a, a.mul(2)), 1);
        assertEquals(Shape.of(3, 2), s.shape());
        assertArrayEquals(new float[] {0, 0, 1, 2, 2, 4}, s.toFloatArray());
        assertThrows(TorchException.class, () -> Tensor.stack(List.of(range(3), range(4)), 0));
    }

    @Test
    void maskedFillAndMaskedSelect() {
        Tensor x = range(2, 3);
        Tensor mask = x.gt(2.5);
        assertArrayEquals(new float[] {0, 1, 2, -1, -1, -1}, x.maskedFill(mask, -1).toFloatArray());
        assertArrayEquals(new float[] {3, 4, 5}, x.maskedSelect(mask).toFloatArray());
        Tensor rowMask = Tensor.of(new boolean[] {true, false, true}, 3);
        assertArrayEquals(new float[] {0, 1, 0, 0, 4, 0}, x.maskedFill(rowMask, 0).toFloatArray(), "mask broadcasts");
    }

    @Test
    void whereChoosesElementwise() {
        Tensor a = range(4);
        Tensor b = a.sub(10);
        Tensor r = Tensor.where(a.ge(2), a, b);
        assertArrayEquals(new float[] {-10, -9, 2, 3}, r.toFloatArray());
    }

    @Test
    void clampBoundsValues() {
        Tensor x = Tensor.of(new float[] {-3, -0.5f, 0.5f, 3}, 4);
        assertArrayEquals(new float[] {-1, -0.5f, 0.5f, 1}, x.clamp(-1, 1).toFloatArray());
        assertArrayEquals(new float[] {0, 0, 0.5f, 3}, x.clampMin(0).toFloatArray());
        assertArrayEquals(new float[] {-3, -0.5f, 0, 0}, x.clampMax(0).toFloatArray());
        // as PyTorch: min > max sets every element to max
        assertArrayEquals(new float[] {-1, -1, -1, -1}, x.clamp(1, -1).toFloatArray());
    }

    @Test
    void bincountCountsClassesWithMinLength() {
        Tensor labels = Tensor.of(new long[] {0, 2, 2, 5, 2}, 5);
        assertArrayEquals(new long[] {1, 0, 3, 0, 0, 1, 0, 0, 0, 0}, labels.bincount(10).toLongArray());
        Tensor w = Tensor.of(new double[] {0.5, 1, 1, 2, 1}, 5);
        assertArrayEquals(new double[] {0.5, 0, 3, 0, 0, 2}, labels.bincount(w, 0).toDoubleArray(), 1e-12);
        assertThrows(TorchException.class, () -> Tensor.of(new long[] {-1}, 1).bincount(3));
    }

    @Test
    void confusionMatrixByBincountOfPairs() {
        // the metrics package accumulates confusion matrices on the device like this
        Tensor truth = Tensor.of(new long[] {0, 1, 1, 2, 2, 2}, 6);
        Tensor pred = Tensor.of(new long[] {0, 1, 2, 2, 2, 0}, 6);
        Tensor cm = truth.mul(3).add(pred).bincount(9).view(3, 3);
        assertArrayEquals(new long[] {1, 0, 0, 0, 1, 1, 1, 0, 2}, cm.toLongArray());
    }

    @Test
    void scatterAddAccumulatesAtIndices() {
        Tensor acc = Tensor.zeros(Shape.of(4), DType.FLOAT64, Device.CPU);
        Tensor index = Tensor.of(new long[] {0, 3, 3, 1}, 4);
        Tensor src = Tensor.of(new double[] {1, 2, 3, 4}, 4);
        assertArrayEquals(new double[] {1, 4, 0, 5}, acc.scatterAdd(0, index, src).toDoubleArray(), 1e-12);
        assertArrayEquals(new double[] {0, 0, 0, 0}, acc.toDoubleArray(), 1e-12, "out of place");
        Tensor bad = Tensor.of(new long[] {7}, 1);
        assertThrows(TorchException.class, () -> acc.scatterAdd(0, bad, Tensor.of(new double[] {1}, 1)));
    }

    @Test
    void gatherPicksAlongADimension() {
        Tensor probs = Tensor.of(new float[] {0.1f, 0.9f, 0.7f, 0.3f}, 2, 2);
        Tensor idx = Tensor.of(new long[] {1, 0}, 2, 1);
        assertArrayEquals(new float[] {0.9f, 0.7f}, probs.gather(1, idx).toFloatArray());
    }

    @Test
    void halfAndBfloat16RoundTrip() {
        Tensor x = Tensor.of(new float[] {1.5f, -2.25f, 1024f, 0.125f}, 4);
        assertArrayEquals(x.toFloatArray(), x.to(DType.FLOAT16).toFloatArray());
        assertArrayEquals(x.toFloatArray(), x.to(DType.BFLOAT16).to(DType.FLOAT32).toFloatArray());
        assertEquals(DType.BFLOAT16, x.to(DType.BFLOAT16).dtype());
        // 1/3 is not representable: half keeps ~3 decimal digits, bfloat16 ~2
        Tensor third = Tensor.full(Shape.of(1), 1.0 / 3);
        assertEquals(1.0 / 3, third.to(DType.FLOAT16).item(), 1e-3);
        assertEquals(1.0 / 3, third.to(DType.BFLOAT16).item(), 1e-2);
    }

    @Test
    void emptyTensorsFromEmptyArrays() {
        assertEquals(Shape.of(0), Tensor.of(new long[0], 0).shape());
        assertEquals(0, Tensor.of(new float[0], 0, 3).numel());
        assertArrayEquals(new double[0], Tensor.of(new double[0], 0).toDoubleArray());
        assertArrayEquals(new int[0], Tensor.of(new int[0], 2, 0).toIntArray());
        assertEquals(0, Tensor.ofUnsigned(new byte[0], 0).numel());
    }
}
