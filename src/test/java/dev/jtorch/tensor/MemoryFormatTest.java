package dev.jtorch.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jtorch.DType;
import dev.jtorch.MemoryFormat;
import dev.jtorch.NoLeaks;
import dev.jtorch.TorchException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code memory_format} arguments and queries. Strides are PyTorch 1.13's for the same calls
 * ({@code torch.arange(120.).reshape(2,3,4,5).contiguous(memory_format=torch.channels_last).stride()}
 * is {@code (60, 1, 15, 3)}, and so on).
 */
@ExtendWith(NoLeaks.class)
class MemoryFormatTest {
    @Test
    void channelsLastStoresNhwcAndKeepsShapeAndValues() {
        try (TensorScope s = TensorScope.open()) {
            Tensor x = Tensor.arange(120).to(DType.FLOAT32).reshape(2, 3, 4, 5);
            Tensor cl = x.contiguous(MemoryFormat.CHANNELS_LAST);
            assertArrayEquals(new long[] {60, 1, 15, 3}, cl.stride());
            assertEquals(x.shape(), cl.shape());
            assertTrue(cl.equal(x));
            assertFalse(cl.isContiguous());
            assertTrue(cl.isContiguous(MemoryFormat.CHANNELS_LAST));
            assertFalse(x.isContiguous(MemoryFormat.CHANNELS_LAST));
            assertEquals(MemoryFormat.CHANNELS_LAST, cl.suggestMemoryFormat());
            assertEquals(MemoryFormat.CONTIGUOUS, x.suggestMemoryFormat());
            // preserve_format is answered as contiguous_format, as libtorch (and PyTorch 1.13) do
            assertFalse(cl.isContiguous(MemoryFormat.PRESERVE));
            assertTrue(x.isContiguous(MemoryFormat.PRESERVE));

            assertArrayEquals(new long[] {60, 1, 15, 3}, x.to(MemoryFormat.CHANNELS_LAST).stride());
            assertArrayEquals(new long[] {60, 1, 15, 3}, cl.to(MemoryFormat.PRESERVE).stride());
            assertArrayEquals(new long[] {60, 20, 5, 1}, cl.to(MemoryFormat.CONTIGUOUS).stride());
            Tensor back = cl.contiguous(MemoryFormat.CONTIGUOUS);
            assertArrayEquals(new long[] {60, 20, 5, 1}, back.stride());
            assertTrue(back.equal(x));
            // already in the asked order: the same storage, no copy (as PyTorch's contiguous)
            cl.contiguous(MemoryFormat.CHANNELS_LAST).zero_();
            assertEquals(0.0, cl.abs().sum().item());
        }
    }

    @Test
    void channelsLast3dStoresNdhwc() {
        try (TensorScope s = TensorScope.open()) {
            Tensor y = Tensor.zeros(2, 3, 4, 5, 6).contiguous(MemoryFormat.CHANNELS_LAST_3D);
            assertArrayEquals(new long[] {360, 1, 90, 18, 3}, y.stride());
            assertTrue(y.isContiguous(MemoryFormat.CHANNELS_LAST_3D));
            assertEquals(MemoryFormat.CHANNELS_LAST_3D, y.suggestMemoryFormat());
        }
    }

    @Test
    void factoriesAndClonesFollowTheFormatTheyAreGiven() {
        try (TensorScope s = TensorScope.open()) {
            Tensor cl = Tensor.rand(2, 3, 4, 5).contiguous(MemoryFormat.CHANNELS_LAST);
            assertArrayEquals(new long[] {60, 1, 15, 3}, Tensor.emptyLike(cl, null, null, MemoryFormat.PRESERVE).stride());
            assertArrayEquals(new long[] {60, 20, 5, 1}, Tensor.zerosLike(cl, null, null, MemoryFormat.CONTIGUOUS).stride());
            assertArrayEquals(new long[] {60, 1, 15, 3}, cl.clone(MemoryFormat.PRESERVE).stride());
            Tensor nchw = cl.clone(MemoryFormat.CONTIGUOUS);
            assertArrayEquals(new long[] {60, 20, 5, 1}, nchw.stride());
            assertTrue(nchw.equal(cl));
            Tensor e = Tensor.empty(new long[] {2, 3, 4, 5}, DType.FLOAT64, null, MemoryFormat.CHANNELS_LAST);
            assertArrayEquals(new long[] {60, 1, 15, 3}, e.stride());
            assertEquals(DType.FLOAT64, e.dtype());
        }
    }

    @Test
    void aFormatOfTheWrongRankIsLibtorchsClearError() {
        try (TensorScope s = TensorScope.open()) {
            Tensor m = Tensor.zeros(2, 3);
            TorchException e = assertThrows(TorchException.class, () -> m.contiguous(MemoryFormat.CHANNELS_LAST));
            assertTrue(e.getMessage().contains("rank 4"), e.getMessage());
            assertThrows(TorchException.class, () -> Tensor.zeros(2, 3, 4, 5).contiguous(MemoryFormat.CHANNELS_LAST_3D));
            assertFalse(m.isContiguous(MemoryFormat.CHANNELS_LAST));
            assertThrows(NullPointerException.class, () -> m.isContiguous(null));
        }
    }

    @Test
    void gradientsFlowThroughALayoutChange() {
        try (TensorScope s = TensorScope.open()) {
            Tensor x = Tensor.rand(2, 3, 4, 5).requiresGrad(true);
            Tensor w = Tensor.rand(2, 3, 4, 5);
            x.contiguous(MemoryFormat.CHANNELS_LAST).mul(w).sum().backward();
            assertTrue(x.grad().equal(w));
        }
    }
}
