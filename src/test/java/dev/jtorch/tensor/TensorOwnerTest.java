package dev.jtorch.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jtorch.NoLeaks;
import dev.jtorch.Torch;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.function.Executable;

/** {@link TensorOwner}: the explicit owner of long-lived tensors. */
@ExtendWith(NoLeaks.class)
class TensorOwnerTest {

    /** Runs {@code body} on a new thread and returns what it threw, or null. */
    private static Throwable onOtherThread(Executable body) throws InterruptedException {
        AtomicReference<Throwable> error = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                body.execute();
            } catch (Throwable e) {
                error.set(e);
            }
        }, "jtorch-owner-test");
        t.start();
        t.join();
        return error.get();
    }

    @Test
    void adoptedTensorsOutliveTheirScopeAndDieWithTheOwner() {
        long before = Torch.liveHandles();
        Tensor kept;
        try (TensorOwner owner = TensorOwner.ofConfined()) {
            try (TensorScope s = TensorScope.open()) {
                Tensor t = Tensor.of(new float[] {1, 2, 3}, 3);
                kept = owner.adopt(t.mul(2));
                assertSame(kept, owner.adopt(kept), "adopting twice is a no-op");
            }
            assertFalse(kept.isClosed(), "the scope must not free an adopted tensor");
            assertArrayEquals(new float[] {2, 4, 6}, kept.toFloatArray());
            assertEquals(1, owner.size());
            assertEquals(before + 1, Torch.liveHandles());
        }
        assertTrue(kept.isClosed());
        assertEquals(before, Torch.liveHandles(), "close frees everything the owner holds");
        assertThrows(IllegalStateException.class, kept::toFloatArray);
    }

    @Test
    void createNeedsNoScopeAndFreesTheIntermediates() {
        assertFalse(TensorScope.isOpen());
        long before = Torch.liveHandles();
        try (TensorOwner owner = TensorOwner.ofConfined()) {
            Tensor t = owner.create(() -> Tensor.ones(2, 2).mul(3).add(1));
            assertEquals(before + 1, Torch.liveHandles(), "only the result survives");
            assertArrayEquals(new float[] {4, 4, 4, 4}, t.toFloatArray());
            assertFalse(TensorScope.isOpen(), "create leaves no scope open");
        }
        assertEquals(before, Torch.liveHandles());
    }

    @Test
    void createInsideAScopeDoesNotDisturbIt() {
        try (TensorOwner owner = TensorOwner.ofConfined(); TensorScope s = TensorScope.open()) {
            Tensor x = Tensor.ones(3);
            Tensor y = owner.create(() -> x.add(1));
            assertSame(s, TensorScope.current());
            assertEquals(1, s.size(), "y went to the owner, not the caller's scope");
            assertArrayEquals(new float[] {2, 2, 2}, y.toFloatArray());
        }
    }

    @Test
    void closeTwiceIsFineUseAfterCloseThrows() {
        TensorOwner owner = TensorOwner.ofConfined();
        Tensor t = owner.create(() -> Tensor.zeros(2));
        owner.close();
        owner.close();
        assertTrue(owner.isClosed());
        assertTrue(t.isClosed());
        assertThrows(IllegalStateException.class, () -> owner.create(() -> Tensor.zeros(1)));
        try (TensorScope s = TensorScope.open()) {
            Tensor u = Tensor.zeros(1);
            assertThrows(IllegalStateException.class, () -> owner.adopt(u));
            assertFalse(u.isClosed(), "a refused tensor stays with its scope");
        }
    }

    @Test
    void confinedOwnerRefusesOtherThreads() throws Exception {
        try (TensorOwner owner = TensorOwner.ofConfined()) {
            assertFalse(owner.isShared());
            Throwable adopt = onOtherThread(() -> owner.create(() -> Tensor.zeros(1)));
            assertTrue(adopt instanceof IllegalStateException, String.valueOf(adopt));
            Throwable close = onOtherThread(owner::close);
            assertTrue(close instanceof IllegalStateException, String.valueOf(close));
            assertFalse(owner.isClosed());
        }
    }

    @Test
    void sharedOwnerTakesTensorsFromManyThreads() throws Exception {
        long before = Torch.liveHandles();
        int threads = 4;
        int each = 50;
        List<Tensor> all = new ArrayList<>();
        try (TensorOwner owner = TensorOwner.ofShared()) {
            assertTrue(owner.isShared());
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            CountDownLatch start = new CountDownLatch(1);
            List<Future<List<Tensor>>> futures = new ArrayList<>();
            for (int k = 0; k < threads; k++) {
                int id = k;
                futures.add(pool.submit(() -> {
                    start.await();
                    List<Tensor> mine = new ArrayList<>();
                    for (int i = 0; i < each; i++) {
                        try (TensorScope s = TensorScope.open()) {
                            mine.add(owner.adopt(Tensor.full(Shape.of(2), id * 1000 + i)));
                        }
                    }
                    return mine;
                }));
            }
            start.countDown();
            for (Future<List<Tensor>> f : futures) {
                all.addAll(f.get(60, TimeUnit.SECONDS));
            }
            pool.shutdown();
            assertEquals(threads * each, owner.size());
            assertEquals(before + threads * each, Torch.liveHandles());
            for (int k = 0; k < threads; k++) {
                assertEquals(k * 1000 + 7, all.get(k * each + 7).toFloatArray()[0]);
            }
            // any thread may close a shared owner
            Throwable close = onOtherThread(owner::close);
            assertEquals(null, close);
            assertTrue(owner.isClosed());
        }
        assertEquals(before, Torch.liveHandles());
        all.forEach(t -> assertTrue(t.isClosed()));
    }

    @Test
    void tensorsClosedEarlyAreSkippedAndForgotten() {
        long before = Torch.liveHandles();
        try (TensorOwner owner = TensorOwner.ofConfined()) {
            for (int i = 0; i < 100; i++) {
                Tensor t = owner.create(() -> Tensor.zeros(4));
                t.close(); // allowed: an adopted tensor is not a module's
            }
            assertEquals(0, owner.size());
            assertEquals(before, Torch.liveHandles());
        }
    }

    @Test
    void callerOwnedTensorsCanBeAdopted() {
        Tensor t;
        try (TensorScope s = TensorScope.open()) {
            t = s.keep(Tensor.ones(2));
        }
        try (TensorOwner owner = TensorOwner.ofConfined()) {
            owner.adopt(t);
        }
        assertTrue(t.isClosed());
    }

    @Test
    void aTensorHasOneOwner() {
        try (TensorOwner a = TensorOwner.ofConfined(); TensorOwner b = TensorOwner.ofShared()) {
            Tensor t = a.create(() -> Tensor.ones(1));
            assertThrows(IllegalStateException.class, () -> b.adopt(t));
            try (TensorScope s = TensorScope.open()) {
                Tensor closed = Tensor.ones(1);
                closed.close();
                assertThrows(IllegalStateException.class, () -> b.adopt(closed));
            }
            assertThrows(NullPointerException.class, () -> a.create(() -> null));
        }
    }

    @Test
    void aScopedTensorOfAnotherThreadIsRefused() throws Exception {
        try (TensorOwner owner = TensorOwner.ofShared(); TensorScope s = TensorScope.open()) {
            Tensor mine = Tensor.ones(1);
            Throwable e = onOtherThread(() -> owner.adopt(mine));
            assertTrue(e instanceof IllegalStateException, String.valueOf(e));
            assertFalse(mine.isClosed());
            assertEquals(1, s.size(), "still the scope's");
        }
    }
}
