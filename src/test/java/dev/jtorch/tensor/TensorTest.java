package dev.jtorch.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jtorch.DType;
import dev.jtorch.Device;
import dev.jtorch.Torch;
import dev.jtorch.TorchException;
import dev.jtorch.nn.Linear;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Factories, conversions, arithmetic, shape ops, reductions and printing of {@link Tensor}. */
class TensorTest {
    private long liveBefore;
    private TensorScope scope;

    @BeforeEach
    void openScope() {
        Torch.init();
        liveBefore = Torch.liveHandles();
        scope = TensorScope.open();
    }

    @AfterEach
    void closeScopeAndCheckLeaks() {
        if (!scope.isClosed()) {
            scope.close();
        }
        assertFalse(TensorScope.isOpen(), "a test left a scope open");
        assertEquals(liveBefore, Torch.liveHandles(), "native handles leaked by this test");
    }

    private static void assertFloats(float[] expected, Tensor t) {
        assertArrayEquals(expected, t.toFloatArray(), 1e-5f, t.toString());
    }

    private static void assertShape(Tensor t, long... dims) {
        assertEquals(Shape.of(dims), t.shape(), t.toString());
    }

    // ============================================================ factories

    @Test
    void addInPlaceScalesBroadcastsAndCasts() {
        Tensor acc = Tensor.of(new float[] {1, 2, 3, 4}, 2, 2);
        Tensor same = acc.add_(Tensor.of(new float[] {10, 20}, 2), 0.5);
        assertSame(acc, same);
        assertFloats(new float[] {6, 12, 8, 14}, acc);
        Tensor counts = Tensor.zeros(Shape.of(), DType.INT64, Device.CPU);
        counts.add_(Tensor.of(new boolean[] {true, false, true}, 3).sum());
        counts.add_(Tensor.of(new long[] {5}, 1).sum());
        assertEquals(7, counts.itemLong());
        TorchException e = assertThrows(TorchException.class, () -> acc.add_(Tensor.ones(3)));
        assertTrue(e.getMessage().contains("add_"), e.getMessage());
        Tensor leaf = Tensor.ones(2).requiresGrad(true);
        assertThrows(TorchException.class, () -> leaf.add_(Tensor.ones(2)));
    }

    @Test
    void zerosAndOnes() {
        Tensor z = Tensor.zeros(2, 3);
        assertShape(z, 2, 3);
        assertEquals(DType.FLOAT32, z.dtype());
        assertEquals(Device.CPU, z.device());
        assertFloats(new float[6], z);

        Tensor o = Tensor.ones(Shape.of(4), DType.INT64, Device.CPU);
        assertEquals(DType.INT64, o.dtype());
        assertArrayEquals(new long[] {1, 1, 1, 1}, o.toLongArray());
    }

    @Test
    void fullFillsWithValue() {
        Tensor f = Tensor.full(Shape.of(2, 2), 7.5);
        assertEquals(DType.FLOAT32, f.dtype());
        assertFloats(new float[] {7.5f, 7.5f, 7.5f, 7.5f}, f);

        Tensor g = Tensor.full(Shape.of(3), -4, DType.INT32, Device.CPU);
        assertEquals(DType.INT32, g.dtype());
        assertArrayEquals(new int[] {-4, -4, -4}, g.toIntArray());
    }

    @Test
    void scalarIsZeroDimensional() {
        Tensor s = Tensor.scalar(2.5);
        assertEquals(0, s.dim());
        assertEquals(1, s.numel());
        assertEquals(0, s.shape().rank());
        assertEquals(DType.FLOAT32, s.dtype());
        assertEquals(2.5, s.item(), 0.0);
    }

    @Test
    void randIsInUnitInterval() {
        Tensor r = Tensor.rand(10_000);
        assertEquals(DType.FLOAT32, r.dtype());
        float[] v = r.toFloatArray();
        double sum = 0;
        for (float x : v) {
            assertTrue(x >= 0f && x < 1f, "rand gave " + x);
            sum += x;
        }
        assertEquals(0.5, sum / v.length, 0.02, "mean of U[0,1) samples");
        assertTrue(r.min().item() < 0.01 && r.max().item() > 0.99, "samples should cover [0, 1)");
    }

    @Test
    void randnHasStandardNormalStatistics() {
        Tensor r = Tensor.randn(100_000);
        double mean = r.mean().item();
        double var = r.sub(mean).pow(2).mean().item();
        assertEquals(0.0, mean, 0.02);
        assertEquals(1.0, Math.sqrt(var), 0.02);
        assertTrue(r.min().item() < -3 && r.max().item() > 3, "tails of N(0,1) over 1e5 samples");

        Tensor d = Tensor.randn(Shape.of(10, 10), DType.FLOAT64, Device.CPU);
        assertEquals(DType.FLOAT64, d.dtype());
        assertShape(d, 10, 10);
    }

    @Test
    void arangeIntegerAndFloat() {
        Tensor a = Tensor.arange(5);
        assertEquals(DType.INT64, a.dtype());
        assertArrayEquals(new long[] {0, 1, 2, 3, 4}, a.toLongArray());

        Tensor f = Tensor.arange(0, 1, 0.25, DType.FLOAT32, Device.CPU);
        assertEquals(DType.FLOAT32, f.dtype());
        assertFloats(new float[] {0f, 0.25f, 0.5f, 0.75f}, f);

        Tensor down = Tensor.arange(3, 0, -1, DType.INT32, Device.CPU);
        assertArrayEquals(new int[] {3, 2, 1}, down.toIntArray());
    }

    @Test
    void manualSeedMakesRandReproducible() {
        Torch.manualSeed(1234);
        float[] a = Tensor.rand(16).toFloatArray();
        float[] an = Tensor.randn(8).toFloatArray();
        Torch.manualSeed(1234);
        float[] b = Tensor.rand(16).toFloatArray();
        float[] bn = Tensor.randn(8).toFloatArray();
        assertArrayEquals(a, b);
        assertArrayEquals(an, bn);
        Torch.manualSeed(1235);
        float[] c = Tensor.rand(16).toFloatArray();
        assertFalse(java.util.Arrays.equals(a, c), "a different seed must give different samples");
    }

    @Test
    void negativeShapeRejected() {
        assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(2, -1));
        assertThrows(IllegalArgumentException.class, () -> Shape.of(-3));
        assertEquals(0, scope.size(), "a rejected factory must not leave a tensor in the scope");
    }

    @Test
    void emptyTensor() {
        Tensor e = Tensor.zeros(0, 3);
        assertEquals(0, e.numel());
        assertShape(e, 0, 3);
        assertEquals(0, e.toFloatArray().length);
        assertEquals(0.0, e.sum().item(), 0.0);
    }

    // ============================================================ from Java arrays

    @Test
    void ofFloatArrayRoundTrip() {
        float[] data = {1.5f, -2.25f, 3f, 0f, 1e-3f, 1e6f};
        Tensor t = Tensor.of(data, 2, 3);
        assertShape(t, 2, 3);
        assertEquals(DType.FLOAT32, t.dtype());
        assertArrayEquals(data, t.toFloatArray());
    }

    @Test
    void ofFloatArrayCopiesTheArray() {
        float[] data = {1f, 2f, 3f};
        Tensor t = Tensor.of(data, 3);
        data[0] = 99f;
        assertArrayEquals(new float[] {1f, 2f, 3f}, t.toFloatArray(), "the tensor must own a copy of the data");
    }

    @Test
    void ofDoubleArrayRoundTrip() {
        double[] data = {Math.PI, -Math.E, 1e-300, 1e300};
        Tensor t = Tensor.of(data, 2, 2);
        assertEquals(DType.FLOAT64, t.dtype());
        assertArrayEquals(data, t.toDoubleArray(), 0.0);

        Tensor f = Tensor.of(new double[] {0.5, 1.5}, Shape.of(2), DType.FLOAT32, Device.CPU);
        assertEquals(DType.FLOAT32, f.dtype());
        assertArrayEquals(new float[] {0.5f, 1.5f}, f.toFloatArray());
    }

    @Test
    void ofLongArrayRoundTrip() {
        long[] data = {Long.MIN_VALUE, -1, 0, Long.MAX_VALUE};
        Tensor t = Tensor.of(data, 4);
        assertEquals(DType.INT64, t.dtype());
        assertArrayEquals(data, t.toLongArray());

        Tensor i8 = Tensor.of(new long[] {-128, 0, 127}, Shape.of(3), DType.INT8, Device.CPU);
        assertEquals(DType.INT8, i8.dtype());
        assertArrayEquals(new long[] {-128, 0, 127}, i8.toLongArray());
    }

    @Test
    void ofIntArrayRoundTrip() {
        int[] data = {Integer.MIN_VALUE, -7, 0, 7, Integer.MAX_VALUE, 1};
        Tensor t = Tensor.of(data, 3, 2);
        assertEquals(DType.INT32, t.dtype());
        assertShape(t, 3, 2);
        assertArrayEquals(data, t.toIntArray());
    }

    @Test
    void ofBooleanArrayRoundTrip() {
        boolean[] data = {true, false, false, true};
        Tensor t = Tensor.of(data, 2, 2);
        assertEquals(DType.BOOL, t.dtype());
        assertArrayEquals(data, t.toBooleanArray());
        assertArrayEquals(new long[] {1, 0, 0, 1}, t.toLongArray());
        assertEquals(2, t.sum().itemLong());
    }

    @Test
    void ofUnsignedReadsBytesAs0To255() {
        byte[] data = new byte[256];
        int[] expected = new int[256];
        for (int i = 0; i < 256; i++) {
            data[i] = (byte) i;
            expected[i] = i;
        }
        Tensor t = Tensor.ofUnsigned(data, 16, 16);
        assertEquals(DType.UINT8, t.dtype());
        assertEquals(1, t.dtype().byteSize());
        assertArrayEquals(expected, t.toIntArray());
        assertEquals(255, t.max().itemLong());
        assertEquals(0, t.min().itemLong());
        assertEquals(255.0 * 256 / 2, t.to(DType.INT64).sum().item(), 0.0);
    }

    @Test
    void float16RoundTripOfRepresentableValues() {
        // all exactly representable in IEEE half: small integers, dyadic fractions, the max finite 65504
        float[] data = {0f, 0.5f, -2f, 1024f, 3.140625f, -0.0009765625f, 65504f, 0.75f};
        Tensor h = Tensor.of(data, Shape.of(2, 4), DType.FLOAT16, Device.CPU);
        assertEquals(DType.FLOAT16, h.dtype());
        assertEquals(2, h.dtype().byteSize());
        assertArrayEquals(data, h.toFloatArray());
        assertArrayEquals(new double[] {0, 0.5, -2, 1024, 3.140625, -0.0009765625, 65504, 0.75}, h.toDoubleArray(), 0.0);

        Tensor fromDouble = Tensor.of(new double[] {1.25, -8}, Shape.of(2), DType.FLOAT16, Device.CPU);
        assertEquals(DType.FLOAT16, fromDouble.dtype());
        assertArrayEquals(new float[] {1.25f, -8f}, fromDouble.toFloatArray());
    }

    @Test
    void float16RoundsValuesItCannotHold() {
        // 1/3 is not representable: the round trip must be close but not equal (proves the data really is half)
        Tensor h = Tensor.of(new float[] {1f / 3}, Shape.of(1), DType.FLOAT16, Device.CPU);
        float back = h.toFloatArray()[0];
        assertNotEquals(1f / 3, back);
        assertEquals(1f / 3, back, 1e-3f);
    }

    @Test
    void bfloat16RoundTripOfRepresentableValues() {
        // bfloat16 has 8 significant bits and float32's exponent range
        float[] data = {1.5f, -0.375f, 256f, 3.140625f, 0x1p100f, -0x1p-100f};
        Tensor b = Tensor.of(data, Shape.of(6), DType.BFLOAT16, Device.CPU);
        assertEquals(DType.BFLOAT16, b.dtype());
        assertEquals(2, b.dtype().byteSize());
        assertArrayEquals(data, b.toFloatArray());

        Tensor r = Tensor.of(new float[] {1.001f}, Shape.of(1), DType.BFLOAT16, Device.CPU);
        assertEquals(1f, r.toFloatArray()[0], 0f, "1.001 rounds to 1 in bfloat16");
    }

    @Test
    void wrongDataLengthNamesTheShape() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Tensor.of(new float[5], 2, 3));
        assertTrue(e.getMessage().contains("[2, 3]"), e.getMessage());
        assertTrue(e.getMessage().contains("5"), e.getMessage());

        e = assertThrows(IllegalArgumentException.class, () -> Tensor.of(new double[7], 2, 2));
        assertTrue(e.getMessage().contains("[2, 2]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Tensor.of(new long[1], 3));
        assertTrue(e.getMessage().contains("[3]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Tensor.of(new int[4], 5));
        assertTrue(e.getMessage().contains("[5]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Tensor.of(new boolean[3], 2, 2));
        assertTrue(e.getMessage().contains("[2, 2]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Tensor.ofUnsigned(new byte[10], 3, 3));
        assertTrue(e.getMessage().contains("[3, 3]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Tensor.of(new float[3], Shape.of(4), DType.FLOAT16, Device.CPU));
        assertTrue(e.getMessage().contains("[4]"), e.getMessage());
        assertEquals(0, scope.size(), "rejected data must not leave tensors behind");
    }

    // ============================================================ back to Java

    @Test
    void toArrayConversions() {
        Tensor t = Tensor.of(new float[] {1.7f, -1.7f, 0f, 2.5f}, 4);
        assertArrayEquals(new long[] {1, -1, 0, 2}, t.toLongArray(), "floats truncate toward zero");
        assertArrayEquals(new int[] {1, -1, 0, 2}, t.toIntArray());
        assertArrayEquals(new boolean[] {true, true, false, true}, t.toBooleanArray());
        assertArrayEquals(new double[] {1.7f, -1.7f, 0f, 2.5f}, t.toDoubleArray(), 0.0);
        Tensor ints = Tensor.of(new long[] {3, -4}, 2);
        assertArrayEquals(new float[] {3f, -4f}, ints.toFloatArray());
    }

    @Test
    void toFloatArrayOfNonContiguousViewIsRowMajor() {
        Tensor m = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        Tensor t = m.t();
        assertShape(t, 3, 2);
        assertFloats(new float[] {1, 4, 2, 5, 3, 6}, t);
    }

    @Test
    void itemAndItemLong() {
        assertEquals(-3.25, Tensor.scalar(-3.25).item(), 0.0);
        assertEquals(42L, Tensor.of(new long[] {42}, 1).itemLong());
        assertEquals(1L, Tensor.of(new float[] {1.9f}, 1, 1).itemLong());
        TorchException e = assertThrows(TorchException.class, () -> Tensor.ones(3).item());
        assertTrue(e.getMessage().contains("item"), e.getMessage());
    }

    @Test
    void metadata() {
        Tensor t = Tensor.zeros(Shape.of(2, 3, 4), DType.FLOAT64, Device.CPU);
        assertEquals(3, t.dim());
        assertEquals(Shape.of(2, 3, 4), t.shape());
        assertEquals(2, t.size(0));
        assertEquals(4, t.size(-1));
        assertEquals(3, t.size(-2));
        assertEquals(24, t.numel());
        assertEquals(DType.FLOAT64, t.dtype());
        assertEquals(Device.CPU, t.device());
        assertEquals(4, t.shape().size(-1));
        assertEquals(24, t.shape().numel());
        assertThrows(TorchException.class, () -> t.size(3));
    }

    @Test
    void shapeValueSemantics() {
        Shape s = Shape.of(2, 3);
        assertEquals(Shape.of(2, 3), s);
        assertEquals(Shape.of(2, 3).hashCode(), s.hashCode());
        assertNotEquals(Shape.of(3, 2), s);
        assertEquals("[2, 3]", s.toString());
        assertEquals(6, s.numel());
        assertEquals(1, Shape.of().numel());
        long[] arr = s.toArray();
        arr[0] = 99;
        assertEquals(2, s.size(0), "toArray must return a copy");
        IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class, () -> s.size(2));
        assertTrue(e.getMessage().contains("[2, 3]"), e.getMessage());
    }

    // ============================================================ arithmetic

    @Test
    void elementwiseArithmeticWithTensors() {
        Tensor a = Tensor.of(new float[] {1, 2, 3, 4}, 2, 2);
        Tensor b = Tensor.of(new float[] {4, 3, 2, 1}, 2, 2);
        assertFloats(new float[] {5, 5, 5, 5}, a.add(b));
        assertFloats(new float[] {-3, -1, 1, 3}, a.sub(b));
        assertFloats(new float[] {4, 6, 6, 4}, a.mul(b));
        assertFloats(new float[] {0.25f, 2f / 3, 1.5f, 4}, a.div(b));
        assertShape(a.add(b), 2, 2);
    }

    @Test
    void arithmeticWithScalars() {
        Tensor a = Tensor.of(new float[] {1, 2, 3}, 3);
        assertFloats(new float[] {3.5f, 4.5f, 5.5f}, a.add(2.5));
        assertFloats(new float[] {0, 1, 2}, a.sub(1));
        assertFloats(new float[] {-2, -4, -6}, a.mul(-2));
        assertFloats(new float[] {0.5f, 1, 1.5f}, a.div(2));
        assertEquals(DType.FLOAT32, a.mul(2.0).dtype(), "a Python-style scalar does not promote float32");
    }

    @Test
    void integerTensorOpsAndTrueDivision() {
        Tensor a = Tensor.arange(4);
        Tensor b = Tensor.of(new long[] {1, 1, 2, 2}, 4);
        assertEquals(DType.INT64, a.mul(b).dtype());
        assertArrayEquals(new long[] {0, 1, 4, 6}, a.mul(b).toLongArray());
        assertArrayEquals(new long[] {1, 2, 4, 5}, a.add(b).toLongArray());
        Tensor q = a.div(2);
        assertTrue(q.dtype().isFloatingPoint(), "div is true division: " + q.dtype());
        assertFloats(new float[] {0, 0.5f, 1, 1.5f}, q);
        assertFloats(new float[] {0, 0.5f, 1, 1.5f}, a.div(Tensor.of(new long[] {2}, 1)));
    }

    @Test
    void tensorTensorTypePromotion() {
        Tensor f32 = Tensor.ones(2);
        Tensor f64 = Tensor.of(new double[] {0.5, 0.25}, 2);
        Tensor i64 = Tensor.of(new long[] {2, 3}, 2);
        assertEquals(DType.FLOAT64, f32.add(f64).dtype());
        assertArrayEquals(new double[] {1.5, 1.25}, f32.add(f64).toDoubleArray(), 0.0);
        assertEquals(DType.FLOAT32, i64.mul(f32).dtype());
        assertEquals(DType.INT64, i64.add(i64).dtype());
        Tensor h = Tensor.ones(Shape.of(2), DType.FLOAT16, Device.CPU);
        assertEquals(DType.FLOAT16, h.add(h).dtype());
        assertEquals(DType.FLOAT32, h.add(f32).dtype());
        assertEquals(DType.FLOAT16, h.mul(0.5).dtype(), "a scalar does not promote a half tensor");
    }

    @Test
    void emptyShapeMeansScalar() {
        Tensor s = Tensor.of(new float[] {5f});
        assertEquals(0, s.dim());
        assertEquals(5.0, s.item(), 0.0);
        assertThrows(IllegalArgumentException.class, () -> Tensor.of(new float[0]));
        assertThrows(TorchException.class, () -> Tensor.zeros(0).max());
        assertThrows(TorchException.class, () -> Tensor.zeros(0).item());
    }

    /**
     * PyTorch: {@code torch.arange(4) * 3} and {@code torch.arange(4) + 1} stay int64 (an integer
     * Python scalar does not promote an integer tensor). jtorch's scalar overloads take a double, so
     * Java's {@code mul(3)} widens to 3.0 and libtorch promotes to float32. Index arithmetic such as
     * {@code idx.add(1)} then yields a float tensor that indexSelect rejects.
     */
    @Test
    void integerTensorWithIntegralScalarStaysInteger() {
        Tensor a = Tensor.arange(4);
        assertEquals(DType.INT64, a.mul(3).dtype(), "arange(4).mul(3)");
        assertEquals(DType.INT64, a.add(1).dtype(), "arange(4).add(1)");
        assertEquals(DType.INT64, a.sub(1).dtype(), "arange(4).sub(1)");
        assertArrayEquals(new long[] {0, 3, 6, 9}, a.mul(3).toLongArray());
        assertEquals(DType.FLOAT32, a.mul(0.5).dtype(), "a fractional scalar still promotes to float");
        assertArrayEquals(new float[] {0, 0.5f, 1, 1.5f}, a.mul(0.5).toFloatArray());
        assertEquals(DType.FLOAT32, Tensor.ones(2).add(1).dtype(), "an integral scalar never demotes a float tensor");
    }

    @Test
    void broadcasting() {
        Tensor m = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        Tensor row = Tensor.of(new float[] {10, 20, 30}, 3);
        Tensor sum = m.add(row);
        assertShape(sum, 2, 3);
        assertFloats(new float[] {11, 22, 33, 14, 25, 36}, sum);

        Tensor col = Tensor.of(new float[] {1, 2}, 2, 1);
        Tensor r = Tensor.of(new float[] {1, 10, 100}, 1, 3);
        Tensor outer = col.mul(r);
        assertShape(outer, 2, 3);
        assertFloats(new float[] {1, 10, 100, 2, 20, 200}, outer);

        assertFloats(new float[] {0, 0, 0, 3, 3, 3}, m.sub(m.select(0, 0)));
        TorchException e = assertThrows(TorchException.class, () -> m.add(Tensor.ones(4)));
        assertTrue(e.getMessage().contains("add"), e.getMessage());
        assertTrue(e.getMessage().contains("[2, 3]") && e.getMessage().contains("[4]"), e.getMessage());
    }

    @Test
    void unaryMath() {
        Tensor a = Tensor.of(new float[] {-4, 1, 4, 9}, 4);
        assertFloats(new float[] {16, 1, 16, 81}, a.pow(2));
        assertFloats(new float[] {4, -1, -4, -9}, a.neg());
        assertFloats(new float[] {4, 1, 4, 9}, a.abs());
        assertFloats(new float[] {2, 1, 2, 3}, a.abs().sqrt());
        assertFloats(new float[] {2, 1, 2, 3}, a.abs().pow(0.5));
        Tensor e = Tensor.of(new float[] {0, 1, 2}, 3);
        assertFloats(new float[] {1f, (float) Math.E, (float) Math.exp(2)}, e.exp());
        assertFloats(new float[] {0, 1, 2}, e.exp().log());
        float[] nanLog = Tensor.of(new float[] {-1}, 1).log().toFloatArray();
        assertTrue(Float.isNaN(nanLog[0]), "log(-1) is NaN, not an error");
        assertEquals(Float.NEGATIVE_INFINITY, Tensor.zeros(1).log().toFloatArray()[0]);
    }

    @Test
    void matmulAgainstHandComputation() {
        // [[1,2,3],[4,5,6]] @ [[7,8],[9,10],[11,12]] = [[58,64],[139,154]]
        Tensor a = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        Tensor b = Tensor.of(new float[] {7, 8, 9, 10, 11, 12}, 3, 2);
        Tensor c = a.matmul(b);
        assertShape(c, 2, 2);
        assertFloats(new float[] {58, 64, 139, 154}, c);

        Tensor v = Tensor.of(new float[] {1, 0, -1}, 3);
        Tensor mv = a.matmul(v);
        assertShape(mv, 2);
        assertFloats(new float[] {-2, -2}, mv);

        Tensor dot = v.matmul(v);
        assertEquals(0, dot.dim());
        assertEquals(2.0, dot.item(), 1e-6);

        Tensor batch = Tensor.ones(5, 2, 3).matmul(b);
        assertShape(batch, 5, 2, 2);
        assertFloats(new float[] {27, 30}, batch.select(0, 4).select(0, 1));
    }

    @Test
    void matmulShapeMismatchIsTorchException() {
        Tensor a = Tensor.ones(2, 3);
        Tensor b = Tensor.ones(4, 5);
        TorchException e = assertThrows(TorchException.class, () -> a.matmul(b));
        assertTrue(e.getMessage().startsWith("matmul("), e.getMessage());
        assertTrue(e.getMessage().contains("[2, 3]") && e.getMessage().contains("[4, 5]"), e.getMessage());
        assertNotNull(e.nativeMessage());
        assertEquals(2, scope.size(), "a failed op must not add a tensor to the scope");
    }

    // ============================================================ shape ops

    @Test
    void viewAndReshape() {
        Tensor a = Tensor.arange(6);
        Tensor v = a.view(2, 3);
        assertShape(v, 2, 3);
        assertArrayEquals(new long[] {0, 1, 2, 3, 4, 5}, v.toLongArray());
        assertShape(a.view(3, -1), 3, 2);
        assertShape(a.view(-1, 1, 2), 3, 1, 2);
        assertShape(a.reshape(3, 2), 3, 2);

        Tensor t = v.t();
        TorchException e = assertThrows(TorchException.class, () -> t.view(6));
        assertTrue(e.getMessage().contains("view"), e.getMessage());
        Tensor r = t.reshape(6);
        assertArrayEquals(new long[] {0, 3, 1, 4, 2, 5}, r.toLongArray(), "reshape copies when a view is impossible");
        assertThrows(TorchException.class, () -> a.view(4, 2));
    }

    @Test
    void viewSharesStorageAndCopyDoesNot() {
        // the only in-place writer in the public API is Module.loadStateDict: use a Linear's weight as storage
        try (Linear lin = new Linear(2, 2)) {
            Tensor w = lin.weight();
            Tensor view = w.view(-1);
            Tensor copy = w.copy();
            float[] before = copy.toFloatArray();
            Tensor newW = Tensor.of(new float[] {1, 2, 3, 4}, 2, 2);
            lin.loadStateDict(Map.of("weight", newW, "bias", Tensor.zeros(2)));
            assertFloats(new float[] {1, 2, 3, 4}, w);
            assertFloats(new float[] {1, 2, 3, 4}, view);
            assertArrayEquals(before, copy.toFloatArray(), "copy() must own its storage");
            assertFalse(java.util.Arrays.equals(before, w.toFloatArray()));
        }
    }

    @Test
    void copyOutlivesItsSource() {
        Tensor a = Tensor.of(new float[] {1, 2, 3}, 3);
        Tensor c = a.copy();
        assertFalse(c == a);
        a.close();
        assertTrue(a.isClosed());
        assertFalse(c.isClosed());
        assertFloats(new float[] {1, 2, 3}, c);
        assertShape(c, 3);
    }

    @Test
    void flatten() {
        Tensor a = Tensor.zeros(2, 3, 4);
        assertShape(a.flatten(), 24);
        assertShape(a.flatten(1, 2), 2, 12);
        assertShape(a.flatten(0, 1), 6, 4);
        assertShape(a.flatten(1, -1), 2, 12);
        Tensor m = Tensor.of(new float[] {1, 2, 3, 4}, 2, 2);
        assertFloats(new float[] {1, 2, 3, 4}, m.flatten());
    }

    @Test
    void transposeAndT() {
        Tensor m = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        Tensor t = m.t();
        assertShape(t, 3, 2);
        assertFloats(new float[] {1, 4, 2, 5, 3, 6}, t);
        Tensor x = Tensor.arange(24).view(2, 3, 4);
        Tensor y = x.transpose(0, 2);
        assertShape(y, 4, 3, 2);
        // y[3][1][0] == x[0][1][3] == 7
        assertEquals(7, y.select(0, 3).select(0, 1).select(0, 0).itemLong());
        assertShape(x.transpose(-1, -2), 2, 4, 3);
    }

    @Test
    void selectAndNarrow() {
        Tensor x = Tensor.arange(12).view(3, 4);
        Tensor row = x.select(0, 1);
        assertShape(row, 4);
        assertArrayEquals(new long[] {4, 5, 6, 7}, row.toLongArray());
        Tensor col = x.select(1, -1);
        assertArrayEquals(new long[] {3, 7, 11}, col.toLongArray());
        Tensor n = x.narrow(1, 1, 2);
        assertShape(n, 3, 2);
        assertArrayEquals(new long[] {1, 2, 5, 6, 9, 10}, n.toLongArray());
        assertThrows(TorchException.class, () -> x.select(0, 3));
        assertThrows(TorchException.class, () -> x.narrow(1, 3, 2));
    }

    @Test
    void sliceWithStepAndClamping() {
        Tensor x = Tensor.arange(10);
        assertArrayEquals(new long[] {2, 3, 4}, x.slice(0, 2, 5).toLongArray());
        assertArrayEquals(new long[] {1, 4, 7}, x.slice(0, 1, 8, 3).toLongArray());
        assertArrayEquals(new long[] {0, 2, 4, 6, 8}, x.slice(0, 0, 10, 2).toLongArray());
        assertArrayEquals(new long[] {7, 8, 9}, x.slice(0, 7, 100).toLongArray(), "end clamps as in Python");
        assertArrayEquals(new long[] {8, 9}, x.slice(0, -2, 10).toLongArray(), "negative start counts from the end");
        Tensor m = Tensor.arange(12).view(3, 4);
        Tensor cols = m.slice(1, 0, 4, 2);
        assertShape(cols, 3, 2);
        assertArrayEquals(new long[] {0, 2, 4, 6, 8, 10}, cols.toLongArray());
    }

    @Test
    void indexSelect() {
        Tensor m = Tensor.arange(12).view(3, 4);
        Tensor idx = Tensor.of(new long[] {2, 0, 2}, 3);
        Tensor rows = m.indexSelect(0, idx);
        assertShape(rows, 3, 4);
        assertArrayEquals(new long[] {8, 9, 10, 11, 0, 1, 2, 3, 8, 9, 10, 11}, rows.toLongArray());
        Tensor cols = m.indexSelect(1, Tensor.of(new long[] {3, 1}, 2));
        assertArrayEquals(new long[] {3, 1, 7, 5, 11, 9}, cols.toLongArray());
        assertThrows(TorchException.class, () -> m.indexSelect(0, Tensor.of(new long[] {5}, 1)));
    }

    @Test
    void contiguousKeepsValues() {
        Tensor t = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3).t();
        Tensor c = t.contiguous();
        assertShape(c, 3, 2);
        assertFloats(new float[] {1, 4, 2, 5, 3, 6}, c.view(6));
    }

    // ============================================================ reductions

    @Test
    void sumAndMean() {
        Tensor m = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        Tensor s = m.sum();
        assertEquals(0, s.dim());
        assertEquals(21.0, s.item(), 1e-6);
        assertEquals(3.5, m.mean().item(), 1e-6);
        Tensor s0 = m.sum(0, false);
        assertShape(s0, 3);
        assertFloats(new float[] {5, 7, 9}, s0);
        Tensor s1 = m.sum(1, true);
        assertShape(s1, 2, 1);
        assertFloats(new float[] {6, 15}, s1);
        assertFloats(new float[] {2, 5}, m.mean(-1, false));
        assertShape(m.mean(0, true), 1, 3);
        assertFloats(new float[] {2.5f, 3.5f, 4.5f}, m.mean(0, true));
    }

    @Test
    void maxMinAndArgmax() {
        Tensor m = Tensor.of(new float[] {3, 9, 1, 7, 2, 8}, 2, 3);
        assertEquals(9.0, m.max().item(), 0.0);
        assertEquals(1.0, m.min().item(), 0.0);
        Tensor.ValuesIndices byRow = m.max(1, false);
        assertShape(byRow.values(), 2);
        assertFloats(new float[] {9, 8}, byRow.values());
        assertEquals(DType.INT64, byRow.indices().dtype());
        assertArrayEquals(new long[] {1, 2}, byRow.indices().toLongArray());
        Tensor.ValuesIndices byCol = m.max(0, true);
        assertShape(byCol.values(), 1, 3);
        assertFloats(new float[] {7, 9, 8}, byCol.values());
        assertArrayEquals(new long[] {1, 0, 1}, byCol.indices().toLongArray());

        Tensor am = m.argmax();
        assertEquals(0, am.dim());
        assertEquals(1, am.itemLong(), "flat index of 9");
        assertArrayEquals(new long[] {1, 2}, m.argmax(1).toLongArray());
        assertShape(m.argmax(0, true), 1, 3);
        assertArrayEquals(new long[] {1, 0, 1}, m.argmax(0).toLongArray());
    }

    @Test
    void topkValuesAndIndices() {
        Tensor v = Tensor.of(new float[] {5, 1, 9, 3, 7}, 5);
        Tensor.ValuesIndices top = v.topk(3, 0);
        assertFloats(new float[] {9, 7, 5}, top.values());
        assertArrayEquals(new long[] {2, 4, 0}, top.indices().toLongArray());
        Tensor.ValuesIndices low = v.topk(2, 0, false, true);
        assertFloats(new float[] {1, 3}, low.values());
        assertArrayEquals(new long[] {1, 3}, low.indices().toLongArray());

        Tensor m = Tensor.of(new float[] {1, 4, 2, 6, 5, 3}, 2, 3);
        Tensor.ValuesIndices perRow = m.topk(2, 1);
        assertShape(perRow.values(), 2, 2);
        assertFloats(new float[] {4, 2, 6, 5}, perRow.values());
        assertArrayEquals(new long[] {1, 2, 0, 1}, perRow.indices().toLongArray());
        assertThrows(TorchException.class, () -> v.topk(6, 0));
    }

    // ============================================================ comparisons

    @Test
    void comparisonsWithTensors() {
        Tensor a = Tensor.of(new float[] {1, 2, 3}, 3);
        Tensor b = Tensor.of(new float[] {3, 2, 1}, 3);
        assertEquals(DType.BOOL, a.eq(b).dtype());
        assertArrayEquals(new boolean[] {false, true, false}, a.eq(b).toBooleanArray());
        assertArrayEquals(new boolean[] {true, false, true}, a.ne(b).toBooleanArray());
        assertArrayEquals(new boolean[] {true, false, false}, a.lt(b).toBooleanArray());
        assertArrayEquals(new boolean[] {true, true, false}, a.le(b).toBooleanArray());
        assertArrayEquals(new boolean[] {false, false, true}, a.gt(b).toBooleanArray());
        assertArrayEquals(new boolean[] {false, true, true}, a.ge(b).toBooleanArray());
    }

    @Test
    void comparisonsWithScalarsAndBroadcasting() {
        Tensor a = Tensor.of(new float[] {1, 2, 3}, 3);
        assertArrayEquals(new boolean[] {false, true, false}, a.eq(2).toBooleanArray());
        assertArrayEquals(new boolean[] {true, false, true}, a.ne(2).toBooleanArray());
        assertArrayEquals(new boolean[] {true, false, false}, a.lt(2).toBooleanArray());
        assertArrayEquals(new boolean[] {true, true, false}, a.le(2).toBooleanArray());
        assertArrayEquals(new boolean[] {false, false, true}, a.gt(2).toBooleanArray());
        assertArrayEquals(new boolean[] {false, true, true}, a.ge(2).toBooleanArray());
        Tensor grid = a.view(3, 1).lt(a.view(1, 3));
        assertShape(grid, 3, 3);
        assertEquals(3, grid.sum().itemLong(), "strict upper triangle of a 3x3");
        // typical accuracy computation
        Tensor pred = Tensor.of(new long[] {1, 0, 2, 2}, 4);
        Tensor target = Tensor.of(new long[] {1, 1, 2, 0}, 4);
        assertEquals(0.5, pred.eq(target).to(DType.FLOAT32).mean().item(), 1e-6);
    }

    // ============================================================ conversion

    @Test
    void toDType() {
        Tensor f = Tensor.of(new float[] {1.75f, -2.5f}, 2);
        Tensor d = f.to(DType.FLOAT64);
        assertEquals(DType.FLOAT64, d.dtype());
        assertArrayEquals(new double[] {1.75, -2.5}, d.toDoubleArray(), 0.0);
        Tensor i = f.to(DType.INT32);
        assertEquals(DType.INT32, i.dtype());
        assertArrayEquals(new int[] {1, -2}, i.toIntArray());
        Tensor h = f.to(DType.FLOAT16);
        assertEquals(DType.FLOAT16, h.dtype());
        assertArrayEquals(new float[] {1.75f, -2.5f}, h.toFloatArray());
        Tensor same = f.to(DType.FLOAT32);
        assertEquals(DType.FLOAT32, same.dtype());
        assertFloats(new float[] {1.75f, -2.5f}, same);
        assertArrayEquals(new boolean[] {true, true}, f.to(DType.BOOL).toBooleanArray());
    }

    @Test
    void toDevice() {
        Tensor f = Tensor.of(new float[] {1, 2}, 2);
        Tensor c = f.to(Device.CPU);
        assertEquals(Device.CPU, c.device());
        assertFloats(new float[] {1, 2}, c);
        Tensor cd = f.to(Device.CPU, DType.FLOAT64);
        assertEquals(DType.FLOAT64, cd.dtype());
        assertEquals(Device.CPU, cd.device());
        // closing the converted handle must not free the source, even when `to` is a no-op alias
        c.close();
        assertFloats(new float[] {1, 2}, f);
    }

    // ============================================================ autograd basics

    @Test
    void backwardComputesGradient() {
        Tensor x = Tensor.of(new float[] {1, 2, 3}, 3).requiresGrad(true);
        assertTrue(x.requiresGrad());
        assertTrue(x.isLeaf());
        assertNull(x.grad());
        Tensor y = x.mul(x).sum();
        assertFalse(y.isLeaf());
        y.backward();
        assertFloats(new float[] {2, 4, 6}, x.grad());
        assertFalse(x.detach().requiresGrad());
    }

    // ============================================================ printing

    @Test
    void toStringOfSmallTensorHasValuesAndMetadata() {
        Tensor t = Tensor.of(new float[] {1, 2.5f, -3, 4}, 2, 2);
        String s = t.toString();
        assertTrue(s.contains("shape=[2, 2]"), s);
        assertTrue(s.contains("dtype=float32"), s);
        assertTrue(s.contains("device=cpu"), s);
        assertTrue(s.contains("1.0000") && s.contains("2.5000") && s.contains("-3.0000") && s.contains("4.0000"), s);
        assertTrue(s.contains("[[1.0000, 2.5000], [-3.0000, 4.0000]]"), s);

        String l = Tensor.of(new long[] {7, 8}, 2).toString();
        assertTrue(l.contains("[7, 8]") && l.contains("dtype=int64"), l);
        String b = Tensor.of(new boolean[] {true, false}, 2).toString();
        assertTrue(b.contains("true") && b.contains("false") && b.contains("dtype=bool"), b);
        String sc = Tensor.scalar(1.5).toString();
        assertTrue(sc.contains("1.5000") && sc.contains("shape=[]"), sc);
    }

    @Test
    void toStringOfBigTensorOmitsValues() {
        Tensor big = Tensor.full(Shape.of(10, 10), 3.25);
        String s = big.toString();
        assertTrue(s.contains("shape=[10, 10]"), s);
        assertTrue(s.contains("dtype=float32") && s.contains("device=cpu"), s);
        assertFalse(s.contains("3.25"), "100 values must not be printed: " + s);
        assertTrue(s.length() < 200, s);
    }

    @Test
    void toStringWhenClosedSaysClosed() {
        Tensor t = Tensor.ones(2);
        t.close();
        String s = t.toString();
        assertTrue(s.contains("closed"), s);
    }

    @Test
    void toStringMarksRequiresGrad() {
        Tensor t = Tensor.ones(2).requiresGrad(true);
        assertTrue(t.toString().contains("requires_grad=true"), t.toString());
        assertFalse(Tensor.ones(2).toString().contains("requires_grad"));
    }

    // ============================================================ Device and DType

    @Test
    void deviceParseAndToString() {
        assertSame(Device.CPU, Device.parse("cpu"));
        assertSame(Device.CPU, Device.parse(" CPU "));
        assertEquals(Device.cuda(), Device.parse("cuda"));
        assertEquals(-1, Device.parse("cuda").index());
        Device c1 = Device.parse("cuda:1");
        assertEquals(Device.cuda(1), c1);
        assertEquals(1, c1.index());
        assertTrue(c1.isCuda());
        assertEquals(Device.Type.CUDA, c1.type());
        assertEquals("cuda:1", c1.toString());
        assertEquals("cuda", Device.cuda().toString());
        assertEquals("cpu", Device.CPU.toString());
        assertEquals(Device.cuda(3), Device.parse(Device.cuda(3).toString()));
        assertEquals(Device.cuda(2).hashCode(), Device.parse("CUDA:2").hashCode());
        assertNotEquals(Device.cuda(0), Device.cuda());
        assertNotEquals(Device.CPU, Device.cuda(0));
    }

    @Test
    void deviceParseRejectsGarbage() {
        for (String bad : new String[] {"tpu", "cuda:", "cuda:x", "cuda:1:2", "cpu:0", ""}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Device.parse(bad),
                    "'" + bad + "' should be rejected");
            assertTrue(e.getMessage().contains("'" + bad + "'"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> Device.cuda(-1));
        assertThrows(IllegalArgumentException.class, () -> Device.cuda(128));
        assertThrows(NullPointerException.class, () -> Device.parse(null));
    }

    /** Device.parse documents "IllegalArgumentException naming the text" for every invalid input. */
    @Test
    void deviceParseOfOutOfRangeIndexNamesTheText() {
        for (String bad : new String[] {"cuda:-1", "cuda:128"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Device.parse(bad));
            assertTrue(e.getMessage().contains(bad), "message should name '" + bad + "': " + e.getMessage());
        }
    }

    @Test
    void dtypeByteSizesAndNames() {
        assertEquals(4, DType.FLOAT32.byteSize());
        assertEquals(8, DType.FLOAT64.byteSize());
        assertEquals(2, DType.FLOAT16.byteSize());
        assertEquals(2, DType.BFLOAT16.byteSize());
        assertEquals(1, DType.UINT8.byteSize());
        assertEquals(1, DType.INT8.byteSize());
        assertEquals(2, DType.INT16.byteSize());
        assertEquals(4, DType.INT32.byteSize());
        assertEquals(8, DType.INT64.byteSize());
        assertEquals(1, DType.BOOL.byteSize());
        assertEquals("float32", DType.FLOAT32.toString());
        assertEquals("bfloat16", DType.BFLOAT16.toString());
        assertTrue(DType.FLOAT16.isFloatingPoint());
        assertFalse(DType.INT64.isFloatingPoint());
        assertFalse(DType.BOOL.isFloatingPoint());
    }

    @Test
    void everyDTypeCanBeCreatedAndReadBack() {
        for (DType t : DType.values()) {
            Tensor x = Tensor.ones(Shape.of(3), t, Device.CPU);
            assertEquals(t, x.dtype());
            assertArrayEquals(new long[] {1, 1, 1}, x.toLongArray(), t.toString());
            assertArrayEquals(new float[] {1, 1, 1}, x.toFloatArray(), t.toString());
        }
    }
}
