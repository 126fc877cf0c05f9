package dev.jtorch.unsafe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.jtorch.NoLeaks;
import dev.jtorch.Torch;
import dev.jtorch.tensor.Tensor;
import dev.jtorch.tensor.TensorScope;
import org.bytedeco.pytorch.T_TensorTensor_T;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The escape hatch: borrowed handles and adopted tensors that own their own reference. */
@ExtendWith(NoLeaks.class)
class UnsafeTest {

    @Test
    void adoptingATupleElementSurvivesClosingTheTuple() {
        Torch.init();
        float[] data = new float[64 * 33];
        for (int i = 0; i < data.length; i++) {
            data[i] = (i * 37) % 101;
        }
        float[] expectedMax = new float[64];
        long[] expectedArg = new long[64];
        for (int r = 0; r < 64; r++) {
            for (int c = 0; c < 33; c++) {
                if (c == 0 || data[r * 33 + c] > expectedMax[r]) {
                    expectedMax[r] = data[r * 33 + c];
                    expectedArg[r] = c;
                }
            }
        }
        for (int rep = 0; rep < 300; rep++) {
            try (TensorScope s = TensorScope.open()) {
                Tensor x = Tensor.of(data, 64, 33);
                Tensor values;
                Tensor indices;
                T_TensorTensor_T tuple = torch.max(Unsafe.nativeTensor(x), 1, false);
                try {
                    values = Unsafe.adopt(tuple.get0());
                    indices = Unsafe.adopt(tuple.get1());
                } finally {
                    tuple.close(); // frees the tuple's own references: ours must stay valid
                }
                // churn the allocator so that freed storage would be reused and overwritten
                for (int k = 0; k < 4; k++) {
                    Tensor.full(dev.jtorch.tensor.Shape.of(64), -1).add(k);
                }
                assertArrayEquals(expectedMax, values.toFloatArray(), "rep " + rep);
                assertArrayEquals(expectedArg, indices.toLongArray(), "rep " + rep);
            }
        }
    }

    @Test
    void theCallerStillOwnsWhatItAdopted() {
        try (TensorScope s = TensorScope.open()) {
            org.bytedeco.pytorch.Tensor raw = Unsafe.nativeTensor(Tensor.of(new float[] {-1, -1, -1}, 3)).abs();
            Tensor t = Unsafe.adopt(raw);
            raw.close();
            assertArrayEquals(new float[] {1, 1, 1}, t.toFloatArray());
        }
    }

    @Test
    void nativeTensorIsBorrowedAndRefusedAfterClose() {
        try (TensorScope s = TensorScope.open()) {
            Tensor t = Tensor.of(new float[] {1, 2, 3}, 3);
            assertEquals(3, Unsafe.nativeTensor(t).numel());
            t.close();
            assertThrows(IllegalStateException.class, () -> Unsafe.nativeTensor(t));
        }
    }

    @Test
    void adoptNeedsAScopeAndADefinedTensor() {
        org.bytedeco.pytorch.Tensor raw;
        try (TensorScope s = TensorScope.open()) {
            raw = Unsafe.nativeTensor(Tensor.ones(2)).abs();
        }
        try {
            long before = Torch.liveHandles();
            assertThrows(IllegalStateException.class, () -> Unsafe.adopt(raw));
            assertEquals(before, Torch.liveHandles(), "a refused adoption leaves nothing behind");
        } finally {
            raw.close();
        }
        try (TensorScope s = TensorScope.open()) {
            assertThrows(IllegalArgumentException.class, () -> Unsafe.adopt(null));
            try (org.bytedeco.pytorch.Tensor undefined = new org.bytedeco.pytorch.Tensor()) {
                assertThrows(IllegalArgumentException.class, () -> Unsafe.adopt(undefined));
            }
        }
    }
}
