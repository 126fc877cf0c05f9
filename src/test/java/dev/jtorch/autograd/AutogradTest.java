package dev.jtorch.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jtorch.NoLeaks;
import dev.jtorch.TorchException;
import dev.jtorch.tensor.Tensor;
import dev.jtorch.tensor.TensorScope;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@link Autograd#grad}: returned gradients, untouched {@code grad} fields, clear errors. */
@ExtendWith(NoLeaks.class)
class AutogradTest {
    @Test
    void returnsTheGradientsAndLeavesGradUntouched() {
        try (TensorScope s = TensorScope.open()) {
            Tensor w = Tensor.of(new float[] {1, -2, 3}, 3).requiresGrad(true);
            Tensor b = Tensor.of(new float[] {0.5f}, 1).requiresGrad(true);
            Tensor x = Tensor.of(new float[] {2, 3, 4}, 3);
            // y = sum(w^2 * x) + 3b: dy/dw = 2wx, dy/db = 3
            Tensor y = w.mul(w).mul(x).sum().add(b.mul(3).sum());
            List<Tensor> g = Autograd.grad(y, List.of(w, b));
            assertArrayEquals(new float[] {4, -12, 24}, g.get(0).toFloatArray());
            assertArrayEquals(new float[] {3}, g.get(1).toFloatArray());
            assertNull(w.grad(), "autograd.grad must not accumulate into .grad");
            assertNull(b.grad());
            assertArrayEquals(new long[] {3}, g.get(0).shape().toArray());
        }
    }

    @Test
    void agreesWithBackward() {
        try (TensorScope s = TensorScope.open()) {
            Tensor w = Tensor.randn(4, 5).requiresGrad(true);
            Tensor x = Tensor.randn(7, 4);
            Tensor y = x.matmul(w).exp().mean();
            Tensor g = Autograd.grad(y, List.of(w)).get(0);
            x.matmul(w).exp().mean().backward();
            assertArrayEquals(w.grad().toFloatArray(), g.toFloatArray(), 0f);
        }
    }

    @Test
    void badInputsAreClearErrors() {
        try (TensorScope s = TensorScope.open()) {
            Tensor w = Tensor.randn(3).requiresGrad(true);
            Tensor unused = Tensor.randn(3).requiresGrad(true);
            Tensor frozen = Tensor.randn(3);
            TorchException e = assertThrows(TorchException.class,
                    () -> Autograd.grad(w.mul(2).sum(), List.of(w, unused)));
            assertTrue(e.getMessage().contains("autograd.grad"), e.getMessage());
            assertThrows(TorchException.class, () -> Autograd.grad(w.mul(frozen).sum(), List.of(frozen)));
            e = assertThrows(TorchException.class, () -> Autograd.grad(w.mul(2), List.of(w)));
            assertTrue(e.getMessage().toLowerCase().contains("scalar"), e.getMessage());
        }
        Tensor[] kept = new Tensor[2];
        try (TensorScope s = TensorScope.open()) {
            kept[0] = s.keep(Tensor.randn(3).requiresGrad(true));
            kept[1] = s.keep(kept[0].mul(2).sum());
        }
        try {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> Autograd.grad(kept[1], List.of(kept[0])));
            assertTrue(e.getMessage().contains("TensorScope"), e.getMessage());
        } finally {
            kept[1].close();
            kept[0].close();
        }
    }
}
