package dev.jtorch.autograd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jtorch.Torch;
import dev.jtorch.tensor.Tensor;
import dev.jtorch.tensor.TensorScope;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Inference mode and the LIFO rule every autograd guard follows. */
class GuardsTest {
    private long baseline;

    @BeforeEach
    void before() {
        baseline = Torch.liveHandles();
    }

    @AfterEach
    void after() {
        assertTrue(NoGrad.isGradEnabled(), "a test left grad mode off");
        assertFalse(InferenceMode.isEnabled(), "a test left inference mode on");
        assertEquals(baseline, Torch.liveHandles(), "native handles leaked");
    }

    @Test
    void inferenceModeTurnsAutogradOffAndBack() {
        try (TensorScope s = TensorScope.open()) {
            Tensor w = Tensor.ones(3).requiresGrad(true);
            try (InferenceMode m = InferenceMode.enter()) {
                assertTrue(InferenceMode.isEnabled());
                assertFalse(w.mul(2).requiresGrad());
            }
            assertFalse(InferenceMode.isEnabled());
            assertTrue(w.mul(2).requiresGrad());
        }
    }

    @Test
    void inferenceModeIsThreadLocal() throws Exception {
        AtomicReference<Boolean> other = new AtomicReference<>();
        try (InferenceMode m = InferenceMode.enter()) {
            Thread t = new Thread(() -> other.set(InferenceMode.isEnabled()));
            t.start();
            t.join();
        }
        assertEquals(Boolean.FALSE, other.get());
    }

    @Test
    void closingOutOfOrderIsRefusedAndTheStateStaysConsistent() {
        NoGrad outer = NoGrad.enter();
        InferenceMode inner = InferenceMode.enter();
        IllegalStateException e = assertThrows(IllegalStateException.class, outer::close);
        assertTrue(e.getMessage().contains("innermost first"), e.getMessage());
        inner.close();
        outer.close();
        outer.close(); // idempotent
    }

    @Test
    void closingOnAnotherThreadIsRefused() throws Exception {
        InferenceMode m = InferenceMode.enter();
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                m.close();
            } catch (Throwable x) {
                thrown.set(x);
            }
        });
        t.start();
        t.join();
        m.close();
        assertTrue(thrown.get() instanceof IllegalStateException, String.valueOf(thrown.get()));
        assertTrue(thrown.get().getMessage().contains("InferenceMode"), thrown.get().getMessage());
    }
}
