package dev.jtorch.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jtorch.DType;
import dev.jtorch.NoLeaks;
import dev.jtorch.TorchException;
import dev.jtorch.internal.Handles;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The generated op layer: calling conventions, results, ownership and errors (values: OpGoldenTest). */
@ExtendWith(NoLeaks.class)
class GeneratedOpsTest {
    private static float[] f(Tensor t) {
        return t.toFloatArray();
    }

    /**
     * No two public overloads of one name make a Java call ambiguous through varargs (as
     * {@code randint(long high, long... size)} beside {@code randint(long low, long high, long... size)}
     * did: javac refused {@code randint(0, 10, 64)}), in any class of the op layer.
     */
    @Test
    void noVarargsOverloadsAreAmbiguous() {
        List<String> ambiguous = new java.util.ArrayList<>();
        for (Class<?> c : List.of(Tensor.class, Linalg.class, Special.class, dev.jtorch.nn.functional.F.class)) {
            java.lang.reflect.Method[] ms = c.getMethods();
            for (java.lang.reflect.Method a : ms) {
                for (java.lang.reflect.Method b : ms) {
                    if (a.getName().equals(b.getName()) && a.isVarArgs() && b.isVarArgs()
                            && a.getParameterCount() < b.getParameterCount() && prefixAmbiguous(a, b)) {
                        ambiguous.add(c.getSimpleName() + "." + a.getName() + ": " + java.util.Arrays.toString(a.getParameterTypes())
                                + " / " + java.util.Arrays.toString(b.getParameterTypes()));
                    }
                }
            }
        }
        assertEquals(List.of(), ambiguous);
        try (TensorScope s = TensorScope.open()) {
            Tensor r = Tensor.randint(3, 7, new long[] {64});
            assertArrayEquals(new long[] {64}, r.shape().toArray());
            assertTrue(r.min().item() >= 3 && r.max().item() < 7);
        }
    }

    private static boolean prefixAmbiguous(java.lang.reflect.Method a, java.lang.reflect.Method b) {
        Class<?>[] pa = a.getParameterTypes(), pb = b.getParameterTypes();
        Class<?> element = pa[pa.length - 1].getComponentType();
        if (pb[pb.length - 1] != pa[pa.length - 1]) {
            return false;
        }
        for (int i = 0; i < pa.length - 1; i++) {
            if (pa[i] != pb[i]) {
                return false;
            }
        }
        for (int i = pa.length - 1; i < pb.length - 1; i++) {
            if (pb[i] != element) {
                return false;
            }
        }
        return true;
    }

    @Test
    void trailingDefaultsGiveTheShortCalls() {
        try (TensorScope s = TensorScope.open()) {
            Tensor x = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
            assertEquals(21f, x.sum().item(), 0);
            assertArrayEquals(new float[] {6, 15}, f(x.sum(1L)), 0);
            assertArrayEquals(new long[] {2, 1}, x.sum(new long[] {1}, true).shape().toArray());
            assertArrayEquals(new float[] {1, 3, 6, 4, 9, 15}, f(x.cumsum(1L)), 0);
            assertEquals(DType.FLOAT64, x.cumsum(1L, DType.FLOAT64).dtype());
        }
    }

    @Test
    void scalarOverloadsKeepPyTorchsTypePromotion() {
        try (TensorScope s = TensorScope.open()) {
            Tensor i = Tensor.of(new long[] {1, 2}, 2);
            assertEquals(DType.INT64, i.add(1L).dtype());
            assertEquals(DType.FLOAT32, i.add(1.5).dtype());
            assertArrayEquals(new float[] {21, 42}, f(i.add(Tensor.of(new long[] {1, 2}, 2), 20L)), 0);
        }
    }

    @Test
    void listsInAndOut() {
        try (TensorScope s = TensorScope.open()) {
            Tensor x = Tensor.arange(6).view(2, 3);
            List<Tensor> parts = x.chunk(3L, 1L);
            assertEquals(3, parts.size());
            assertArrayEquals(new long[] {0, 3}, parts.get(0).toLongArray());
            assertEquals(2, x.split(new long[] {1, 2}, 1L).size());
            assertEquals(2, x.unbind().size());
            Tensor e = Tensor.einsum("ij,kj->ik", List.of(x.to(DType.FLOAT32), x.to(DType.FLOAT32)));
            assertArrayEquals(new float[] {5, 14, 14, 50}, f(e), 0);
        }
    }

    @Test
    void namedResultsAreRecords() {
        try (TensorScope s = TensorScope.open()) {
            Tensor x = Tensor.of(new float[] {3, 1, 2, 9, 7, 8}, 2, 3);
            Tensor.ValuesIndices m = x.min(1L);
            assertArrayEquals(new float[] {1, 7}, f(m.values()), 0);
            assertArrayEquals(new long[] {1, 1}, m.indices().toLongArray());
            assertEquals(2, m.toList().size());
            Tensor.ValuesIndices sorted = x.sort(1L, true);
            assertArrayEquals(new float[] {3, 2, 1, 9, 8, 7}, f(sorted.values()), 0);
        }
    }

    @Test
    void optionalTensorsTakeNullAndTensorOverloadsExist() {
        try (TensorScope s = TensorScope.open()) {
            Tensor x = Tensor.of(new float[] {-2, 0.5f, 3}, 3);
            assertArrayEquals(new float[] {-1, 0.5f, 1}, f(x.clamp(-1.0, 1.0)), 0);
            assertArrayEquals(new float[] {-2, 0.5f, 1}, f(x.clamp(null, 1.0)), 0);
            assertArrayEquals(new float[] {0, 0.5f, 3}, f(x.clamp(Tensor.zeros(3), null)), 0);
            Tensor mask = Tensor.of(new boolean[] {true, false, false}, 3);
            assertArrayEquals(new float[] {7, 0.5f, 3}, f(x.maskedFill(mask, Tensor.scalar(7))), 0);
        }
    }

    @Test
    void transposeOfLowRankTensorsIsTheTensor() {
        try (TensorScope s = TensorScope.open()) {
            assertArrayEquals(new long[] {3}, Tensor.ones(3).t().shape().toArray());
            assertArrayEquals(new long[] {}, Tensor.scalar(2).t().shape().toArray());
        }
    }

    @Test
    void inPlaceOpsReturnTheirReceiver() {
        try (TensorScope s = TensorScope.open()) {
            Tensor x = Tensor.ones(2);
            assertSame(x, x.mul_(3.0));
            assertArrayEquals(new float[] {3, 3}, f(x), 0);
        }
    }

    @Test
    void errorsNameTheOpAndTheInputs() {
        try (TensorScope s = TensorScope.open()) {
            Tensor x = Tensor.ones(2, 3);
            TorchException e = assertThrows(TorchException.class, () -> x.cumsum(5L));
            assertTrue(e.getMessage().contains("aten::cumsum") && e.getMessage().contains("[2, 3]"), e.getMessage());
            assertTrue(e.getMessage().contains("Dimension out of range"), e.getMessage());
            assertThrows(TorchException.class, () -> Tensor.cat(List.of(), 0L));
            assertThrows(TorchException.class, () -> x.bmm(x));
            assertThrows(NullPointerException.class, () -> x.add((Tensor) null));
        }
    }

    @Test
    void resultsNeedAScopeAndLeakNothing() {
        long before = Handles.live();
        Tensor x;
        try (TensorScope s = TensorScope.open()) {
            x = s.keep(Tensor.ones(4));
        }
        assertThrows(IllegalStateException.class, () -> x.cumsum(0L));
        assertThrows(IllegalStateException.class, () -> x.chunk(2L));
        x.close();
        assertEquals(before, Handles.live());
        assertThrows(IllegalStateException.class, () -> {
            try (TensorScope s = TensorScope.open()) {
                Tensor y = Tensor.ones(1);
                y.close();
                y.exp();
            }
        });
        assertEquals(before, Handles.live());
    }

    @Test
    void anyOperatorByName() {
        try (TensorScope s = TensorScope.open()) {
            Tensor x = Tensor.of(new float[] {1, 2, 3}, 3);
            Object r = Ops.of("aten::cumsum").call(x, 0L);
            assertArrayEquals(new float[] {1, 3, 6}, f((Tensor) r), 0);
            assertTrue(Ops.of("aten::add.Tensor").schema().startsWith("aten::add.Tensor(Tensor self"));
            assertArrayEquals(new float[] {2, 4, 6}, f(Ops.of("aten::add.Tensor").tensor(x, x, Ops.DEFAULT)), 0);
            assertThrows(TorchException.class, () -> Ops.of("aten::no_such_op").call(x));
            assertThrows(IllegalArgumentException.class, () -> Ops.of("aten::cumsum").call(x, 1.5));
        }
    }

    /**
     * An empty list reaches any list argument with the schema's element type (the kernel checks it
     * even for an empty list): {@code int[1]?} and {@code Scalar?[]}, which has no default.
     */
    @Test
    void emptyListsTakeTheSchemasElementType() {
        try (TensorScope s = TensorScope.open()) {
            Tensor x = Tensor.of(new float[] {1, 2, 3}, 3);
            assertEquals(6.0, Ops.of("aten::sum.dim_IntList").tensor(x, List.of()).item(), 0);
            long[] one = {1, 1}, zero = {0, 0};
            Tensor in = Tensor.randn(2, 16, 6, 6), w = Tensor.randn(8, 16, 3, 3);
            Tensor y = Ops.of("mkldnn::_convolution_pointwise").tensor(in, w, null, zero, one, one, 1L, "none", List.of(), null);
            Tensor ref = dev.jtorch.nn.functional.F.conv2d(in, w, null, one, zero, one, 1);
            assertEquals(0.0, y.sub(ref).abs().max().item(), 1e-4 * ref.abs().max().item());
        }
    }

    @Test
    void kernelsThatCrashOnSomeInputsAreGuarded() {
        try (TensorScope s = TensorScope.open()) {
            // libtorch 2.10 divides by the truncated step: SIGFPE without the guard
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Tensor.arange(0.5, 2.0, 0.5, DType.INT64));
            assertTrue(e.getMessage().contains("step"), e.getMessage());
            assertArrayEquals(new long[] {0, 1, 2}, Tensor.arange(0.0, 3.0, 1.0, DType.INT64).toLongArray());
            // a gru_cell whose weights do not have 3 * hidden rows indexes past its gate chunks
            Tensor x = Tensor.rand(2, 3);
            Tensor h = Tensor.rand(2, 3);
            assertThrows(IllegalArgumentException.class, () -> Tensor.gruCell(x, h, Tensor.rand(2, 3), Tensor.rand(0, 3)));
            Tensor ok = Tensor.gruCell(x, h, Tensor.rand(9, 3), Tensor.rand(9, 3));
            assertArrayEquals(new long[] {2, 3}, ok.shape().toArray());
        }
    }

    @Test
    void readmeOpsExampleRuns() {
        // the README's "Ops" block, verbatim
        try (TensorScope s = TensorScope.open()) {
            Tensor x = Tensor.randn(2, 3);
            Tensor c = x.cumsum(1);                         // torch.cumsum(x, 1)
            List<Tensor> parts = x.chunk(3, 1);             // tensor lists out
            Tensor.ValuesIndices m = x.max(1, true);        // named results are records
            Tensor y = x.clamp(null, 1.0).add(x, 2.0);      // None is null; add's alpha
            Tensor z = Tensor.einsum("ij,kj->ik", x, x);    // torch.X functions are statics
            Tensor n = dev.jtorch.nn.functional.F.layerNorm(x, new long[] {3}); // nn.functional
            Tensor e = Linalg.vectorNorm(x);                // torch.linalg, torch.special
            Object r = Ops.of("aten::cumsum").call(x, 1L);  // any registered operator by name
            assertEquals(3, parts.size());
            assertArrayEquals(new long[] {2, 1}, m.values().shape().toArray());
            assertArrayEquals(new long[] {2, 2}, z.shape().toArray());
            assertArrayEquals(c.toFloatArray(), ((Tensor) r).toFloatArray(), 0);
            assertEquals(0, e.dim());
            assertArrayEquals(new long[] {2, 3}, y.shape().toArray());
            assertArrayEquals(new long[] {2, 3}, n.shape().toArray());
        }
    }

    /**
     * Every operator a generated method calls is in libtorch's dispatcher: the JIT's registry, which
     * the generator reads, also lists operators only TorchScript runs (aten::stride(Tensor) -> int[],
     * aten::tensor.int, ...), and a method for one threw on every call.
     */
    @Test
    void everyGeneratedOperatorResolves() throws Exception {
        int resolved = 0;
        List<String> missing = new java.util.ArrayList<>();
        for (Class<?> c : List.of(TensorOps.class, Linalg.class, Special.class,
                dev.jtorch.nn.functional.FunctionalOps.class)) {
            for (java.lang.reflect.Field field : c.getDeclaredFields()) {
                if (java.lang.reflect.Modifier.isStatic(field.getModifiers()) && field.getType() == Ops.Op.class) {
                    field.setAccessible(true);
                    Ops.Op op = (Ops.Op) field.get(null);
                    try {
                        op.schema();
                        resolved++;
                    } catch (dev.jtorch.TorchException e) {
                        missing.add(op.name());
                    }
                }
            }
        }
        assertEquals(List.of(), missing);
        assertTrue(resolved > 1000, "resolved only " + resolved);
    }

    @Test
    void strideDeviceAndPythonScalarsAreHandWritten() {
        try (TensorScope s = TensorScope.open()) {
            Tensor x = Tensor.zeros(2, 3, 4, 5);
            assertArrayEquals(new long[] {60, 20, 5, 1}, x.stride());
            assertArrayEquals(new long[] {60, 1, 15, 3}, Tensor.zeros(2, 4, 5, 3).permute(0, 3, 1, 2).stride());
            assertEquals(5L, x.stride(2L));
            assertEquals(-1L, x.getDevice());
            assertEquals(DType.FLOAT32, Tensor.tensor(2.5).dtype());
            assertEquals(0, Tensor.tensor(2.5).dim());
            Tensor big = Tensor.tensor(Long.MAX_VALUE);
            assertEquals(DType.INT64, big.dtype());
            assertEquals(0, big.dim());
            assertEquals(Long.MAX_VALUE, big.itemLong());
            assertEquals(DType.BOOL, Tensor.tensor(true).dtype());
            assertEquals(0, Tensor.tensor(true).dim());
        }
    }
}
