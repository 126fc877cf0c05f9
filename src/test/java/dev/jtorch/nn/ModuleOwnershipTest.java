package dev.jtorch.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jtorch.NoLeaks;
import dev.jtorch.Torch;
import dev.jtorch.tensor.Tensor;
import dev.jtorch.tensor.TensorScope;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Modules own their tensors through a TensorOwner: parameters can be made with no scope open. */
@ExtendWith(NoLeaks.class)
class ModuleOwnershipTest {

    /** A custom module whose parameters and buffer are made in field initializers, scope-free. */
    static final class Affine extends Module {
        final Tensor w = registerParameter("w", () -> Tensor.ones(3).mul(0.5));
        final Tensor b = registerParameter("b", () -> Tensor.zeros(3));
        final Tensor count = registerBuffer("count", () -> Tensor.zeros(1));
        final Tensor mask;

        Affine() {
            mask = owner().create(() -> Tensor.of(new float[] {1, 0, 1}, 3)); // not in the state dict
        }

        @Override
        public Tensor forward(Tensor x) {
            return x.mul(w).add(b).mul(mask);
        }
    }

    @Test
    void parametersCanBeMadeWithoutAScope() {
        assertFalse(TensorScope.isOpen());
        long before = Torch.liveHandles();
        Affine m = new Affine();
        assertFalse(TensorScope.isOpen(), "construction leaves no scope open");
        assertEquals(before + 4, Torch.liveHandles(), "w, b, count and mask; no intermediates");
        assertEquals(List.of("w", "b", "count"), List.copyOf(m.stateDict().keySet()));
        assertTrue(m.w.requiresGrad());
        assertFalse(m.count.requiresGrad());
        assertTrue(m.w.isLeaf());
        assertArrayEquals(new float[] {0.5f, 0.5f, 0.5f}, m.w.toFloatArray());
        try (TensorScope s = TensorScope.open()) {
            assertArrayEquals(new float[] {1, 0, 2}, m.forward(Tensor.of(new float[] {2, 3, 4}, 3)).toFloatArray());
        }
        assertThrows(IllegalStateException.class, m.w::close, "a parameter belongs to its module");
        m.close();
        assertTrue(m.w.isClosed());
        assertTrue(m.mask.isClosed(), "what the module's owner adopted dies with it");
        assertEquals(before, Torch.liveHandles());
        m.close(); // idempotent
    }

    @Test
    void aModuleMayBeClosedOnAnotherThread() throws Exception {
        long before = Torch.liveHandles();
        Affine m = new Affine();
        AtomicReference<Throwable> error = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                m.close();
            } catch (Throwable e) {
                error.set(e);
            }
        });
        t.start();
        t.join();
        assertEquals(null, error.get());
        assertEquals(before, Torch.liveHandles());
    }

    @Test
    void theTensorOverloadStillNeedsTheTensorMadeInAScope() {
        final class Eager extends Module {
            Eager() {
                registerParameter("w", Tensor.zeros(3)); // Tensor.zeros needs a scope, as every op
            }

            @Override
            public Tensor forward(Tensor x) {
                return x;
            }
        }
        long before = Torch.liveHandles();
        assertThrows(IllegalStateException.class, Eager::new);
        assertEquals(before, Torch.liveHandles());
        TensorScope s = TensorScope.open();
        Eager e = new Eager(); // with a scope open the module takes its own handle
        s.close();
        assertEquals(1, e.parameters().size());
        assertFalse(e.parameters().get(0).isClosed(), "the parameter outlives the scope of its initial value");
        e.close();
        assertEquals(before, Torch.liveHandles());
    }

    @Test
    void aFailingFactoryLeavesNothingBehind() {
        long before = Torch.liveHandles();
        final class Broken extends Module {
            Broken() {
                registerParameter("w", () -> Tensor.ones(2, 3).matmul(Tensor.ones(2, 3)));
            }

            @Override
            public Tensor forward(Tensor x) {
                return x;
            }
        }
        assertThrows(RuntimeException.class, Broken::new);
        assertFalse(TensorScope.isOpen());
        assertEquals(before, Torch.liveHandles());
    }
}
