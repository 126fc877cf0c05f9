package dev.jtorch.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Structure;
import dev.jtorch.DType;
import dev.jtorch.Device;
import dev.jtorch.Torch;
import dev.jtorch.nn.Linear;
import dev.jtorch.nn.Module;
import dev.jtorch.nn.ReLU;
import dev.jtorch.nn.Sequential;
import dev.jtorch.nn.functional.F;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Ownership rules: scopes, keep, close, threads, use-after-close, leak accounting. */
class TensorScopeTest {
    private long liveBefore;

    @BeforeEach
    void recordLiveHandles() {
        Torch.init();
        assertFalse(TensorScope.isOpen(), "a previous test left a scope open on this thread");
        liveBefore = Torch.liveHandles();
    }

    @AfterEach
    void noHandleLeaked() {
        Torch.setLeakTracking(false);
        assertFalse(TensorScope.isOpen(), "this test left a scope open");
        assertEquals(liveBefore, Torch.liveHandles(), "native handles leaked by this test");
    }

    /** Runs {@code body} on a new thread and rethrows what it threw. */
    private static void onOtherThread(Executable body) throws Throwable {
        AtomicReference<Throwable> error = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                body.execute();
            } catch (Throwable e) {
                error.set(e);
            }
        }, "jtorch-test-worker");
        t.start();
        t.join();
        if (error.get() != null) {
            throw error.get();
        }
    }

    // ============================================================ basic ownership

    @Test
    void scopeFreesEverythingItMade() {
        List<Tensor> made = new ArrayList<>();
        try (TensorScope s = TensorScope.open()) {
            Tensor a = Tensor.ones(3, 3);
            Tensor b = a.add(1).mul(a).sum();
            made.add(a);
            made.add(b);
            made.add(a.t());
            Tensor.ValuesIndices vi = a.max(0, false);
            made.add(vi.values());
            made.add(vi.indices());
            assertEquals(9.0 * 2, b.item(), 0.0);
            assertTrue(Torch.liveHandles() > liveBefore);
            assertTrue(s.size() >= 6, "scope size " + s.size());
        }
        for (Tensor t : made) {
            assertTrue(t.isClosed(), "scope did not free " + t);
        }
        assertEquals(liveBefore, Torch.liveHandles());
    }

    @Test
    void currentAndIsOpenFollowNesting() {
        assertNull(TensorScope.current());
        assertFalse(TensorScope.isOpen());
        try (TensorScope outer = TensorScope.open()) {
            assertSame(outer, TensorScope.current());
            try (TensorScope inner = TensorScope.open()) {
                assertSame(inner, TensorScope.current());
                assertTrue(TensorScope.isOpen());
            }
            assertSame(outer, TensorScope.current());
        }
        assertNull(TensorScope.current());
    }

    @Test
    void sizeCountsOwnedTensors() {
        try (TensorScope s = TensorScope.open()) {
            assertEquals(0, s.size());
            Tensor a = Tensor.zeros(2);
            Tensor b = a.add(1);
            assertEquals(2, s.size());
            b.close();
            assertEquals(1, s.size(), "an early-closed tensor no longer counts");
            s.keep(a);
            assertEquals(0, s.size());
            a.close();
        }
    }

    @Test
    void earlyCloseInsideScopeIsSkippedAtScopeClose() {
        Tensor a;
        try (TensorScope s = TensorScope.open()) {
            a = Tensor.ones(4);
            long live = Torch.liveHandles();
            a.close();
            assertTrue(a.isClosed());
            assertEquals(live - 1, Torch.liveHandles(), "close() frees at once");
        }
        assertTrue(a.isClosed());
    }

    // ============================================================ keep

    @Test
    void keptTensorSurvivesInnerScopeAndParentFreesIt() {
        Tensor kept;
        Tensor dropped;
        try (TensorScope outer = TensorScope.open()) {
            try (TensorScope inner = TensorScope.open()) {
                Tensor x = Tensor.of(new float[] {1, 2, 3}, 3);
                dropped = x.mul(2);
                kept = inner.keep(x.add(10));
            }
            assertTrue(dropped.isClosed());
            assertFalse(kept.isClosed());
            assertArrayEquals(new float[] {11, 12, 13}, kept.toFloatArray());
            assertEquals(1, outer.size(), "the kept tensor now belongs to the outer scope");
        }
        assertTrue(kept.isClosed(), "the parent scope frees what was kept into it");
    }

    @Test
    void keptOutOfOutermostScopeBelongsToCaller() {
        Tensor kept;
        try (TensorScope s = TensorScope.open()) {
            kept = s.keep(Tensor.full(Shape.of(2), 5));
        }
        assertFalse(kept.isClosed());
        assertEquals(liveBefore + 1, Torch.liveHandles());
        try (TensorScope s = TensorScope.open()) {
            assertArrayEquals(new float[] {5, 5}, kept.toFloatArray());
            assertEquals(10.0, kept.sum().item(), 0.0);
        }
        assertFalse(kept.isClosed(), "a later scope does not own a tensor it did not make");
        kept.close();
        assertTrue(kept.isClosed());
        assertEquals(liveBefore, Torch.liveHandles());
    }

    @Test
    void keepVarargsKeepsAll() {
        Tensor a;
        Tensor b;
        Tensor c;
        try (TensorScope s = TensorScope.open()) {
            a = Tensor.ones(1);
            b = Tensor.zeros(1);
            c = Tensor.ones(1);
            s.keep(a, b);
        }
        assertFalse(a.isClosed());
        assertFalse(b.isClosed());
        assertTrue(c.isClosed());
        a.close();
        b.close();
    }

    @Test
    void keepThroughSeveralLevels() {
        Tensor t;
        try (TensorScope s1 = TensorScope.open()) {
            try (TensorScope s2 = TensorScope.open()) {
                try (TensorScope s3 = TensorScope.open()) {
                    t = s3.keep(Tensor.ones(2));
                }
                s2.keep(t);
            }
            assertFalse(t.isClosed());
            assertSame(t, s1.keep(t));
        }
        assertFalse(t.isClosed());
        t.close();
    }

    @Test
    void keepOfTensorNotOwnedReturnsItUnchanged() {
        try (TensorScope outer = TensorScope.open()) {
            Tensor fromOuter = Tensor.ones(2);
            try (TensorScope inner = TensorScope.open()) {
                assertSame(fromOuter, inner.keep(fromOuter));
                assertEquals(0, inner.size());
            }
            assertFalse(fromOuter.isClosed(), "keep must not move a tensor the inner scope did not own");
            assertEquals(1, outer.size());
        }
        try (Linear lin = new Linear(2, 2)) {
            Tensor w = lin.weight();
            TensorScope s = TensorScope.open();
            assertSame(w, s.keep(w), "a module's parameter is returned unchanged");
            s.close();
            assertFalse(w.isClosed(), "closing the scope must not free a parameter");
        }
    }

    /**
     * keep() documents that a tensor the scope does not own is returned unchanged "when it already
     * outlives the scope". A tensor owned by a scope nested inside this one does not: it dies when
     * the inner scope closes. outer.keep(t) must therefore either move it out or refuse; silently
     * returning it leaves the caller holding a tensor that is freed under it.
     */
    @Test
    void keepFromOuterScopeOfTensorOwnedByInnerScopeMustNotSilentlyDrop() {
        TensorScope outer = TensorScope.open();
        Tensor t = null;
        boolean refused = false;
        try {
            TensorScope inner = TensorScope.open();
            t = Tensor.ones(2);
            try {
                outer.keep(t);
            } catch (IllegalStateException e) {
                refused = true;
            }
            inner.close();
            assertTrue(refused || !t.isClosed(),
                    "outer.keep(t) returned normally, yet t was freed when the inner scope closed");
        } finally {
            outer.close();
            if (t != null) {
                t.close();
            }
        }
    }

    @Test
    void keepOfClosedTensorThrows() {
        try (TensorScope s = TensorScope.open()) {
            Tensor a = Tensor.ones(2);
            a.close();
            assertThrows(IllegalStateException.class, () -> s.keep(a));
        }
    }

    @Test
    void keepAfterScopeClosedThrows() {
        TensorScope s = TensorScope.open();
        Tensor a = Tensor.ones(2);
        s.close();
        try (TensorScope s2 = TensorScope.open()) {
            Tensor b = Tensor.ones(2);
            assertThrows(IllegalStateException.class, () -> s.keep(b));
        }
        assertTrue(a.isClosed());
    }

    @Test
    void keepOfAnotherThreadsTensorThrows() throws Throwable {
        CountDownLatch made = new CountDownLatch(1);
        CountDownLatch checked = new CountDownLatch(1);
        AtomicReference<Tensor> foreign = new AtomicReference<>();
        AtomicReference<Throwable> workerError = new AtomicReference<>();
        Thread worker = new Thread(() -> {
            try (TensorScope s = TensorScope.open()) {
                foreign.set(Tensor.ones(2));
                made.countDown();
                checked.await();
            } catch (Throwable e) {
                workerError.set(e);
            }
        });
        worker.start();
        made.await();
        try (TensorScope s = TensorScope.open()) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> s.keep(foreign.get()));
            assertTrue(e.getMessage().contains("thread"), e.getMessage());
        } finally {
            checked.countDown();
            worker.join();
        }
        if (workerError.get() != null) {
            throw workerError.get();
        }
        assertTrue(foreign.get().isClosed());
    }

    // ============================================================ nesting and closing

    @Test
    void nestedScopeFreesOnlyItsOwn() {
        try (TensorScope outer = TensorScope.open()) {
            Tensor a = Tensor.ones(2);
            Tensor b;
            try (TensorScope inner = TensorScope.open()) {
                b = a.add(1);
                assertEquals(1, inner.size());
                assertEquals(1, outer.size());
            }
            assertTrue(b.isClosed());
            assertFalse(a.isClosed());
            assertArrayEquals(new float[] {1, 1}, a.toFloatArray());
            Tensor c = a.mul(3);
            assertEquals(2, outer.size(), "new tensors go to the outer scope again");
            assertFalse(c.isClosed());
        }
    }

    @Test
    void closingOuterScopeClosesInnerScopesLeftOpen() {
        TensorScope outer = TensorScope.open();
        Tensor a = Tensor.ones(1);
        TensorScope inner = TensorScope.open();
        Tensor b = Tensor.ones(1);
        outer.close();
        assertTrue(a.isClosed());
        assertTrue(b.isClosed());
        assertTrue(inner.isClosed());
        assertTrue(outer.isClosed());
        assertNull(TensorScope.current());
    }

    @Test
    void closingTwiceThrows() {
        TensorScope s = TensorScope.open();
        Tensor.ones(1);
        s.close();
        assertTrue(s.isClosed());
        IllegalStateException e = assertThrows(IllegalStateException.class, s::close);
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
        assertNull(TensorScope.current(), "a failed second close must not change the current scope");
    }

    @Test
    void closingOnAnotherThreadThrows() throws Throwable {
        TensorScope s = TensorScope.open();
        Tensor a = Tensor.ones(2);
        try {
            onOtherThread(() -> {
                IllegalStateException e = assertThrows(IllegalStateException.class, s::close);
                assertTrue(e.getMessage().contains("thread"), e.getMessage());
            });
            assertFalse(s.isClosed());
            assertFalse(a.isClosed(), "a refused close must free nothing");
            assertSame(s, TensorScope.current());
        } finally {
            s.close();
        }
        assertTrue(a.isClosed());
    }

    @Test
    void opsOnAnotherThreadGoToThatThreadsScope() throws Throwable {
        try (TensorScope main = TensorScope.open()) {
            Tensor a = Tensor.of(new float[] {1, 2, 3}, 3);
            int before = main.size();
            AtomicReference<Tensor> result = new AtomicReference<>();
            AtomicReference<float[]> values = new AtomicReference<>();
            onOtherThread(() -> {
                assertFalse(TensorScope.isOpen(), "scopes are per thread");
                try (TensorScope s = TensorScope.open()) {
                    Tensor r = a.add(1);
                    result.set(r);
                    values.set(r.toFloatArray());
                    assertEquals(1, s.size());
                }
            });
            assertEquals(before, main.size(), "the other thread's result must not land in this thread's scope");
            assertTrue(result.get().isClosed(), "the worker's scope freed its result");
            assertArrayEquals(new float[] {2, 3, 4}, values.get());
            assertFalse(a.isClosed());
        }
    }

    @Test
    void opOnThreadWithoutScopeThrowsEvenIfAnotherThreadHasOne() throws Throwable {
        try (TensorScope main = TensorScope.open()) {
            Tensor a = Tensor.ones(3);
            long live = Torch.liveHandles();
            onOtherThread(() -> {
                IllegalStateException e = assertThrows(IllegalStateException.class, () -> a.mul(2));
                assertTrue(e.getMessage().contains("jtorch-test-worker"), e.getMessage());
            });
            assertEquals(live, Torch.liveHandles());
            assertEquals(1, main.size());
        }
    }

    // ============================================================ no scope, use after close

    @Test
    void opWithNoScopeThrowsAndLeaksNothing() {
        assertFalse(TensorScope.isOpen());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Tensor.zeros(2, 2));
        assertTrue(e.getMessage().contains("TensorScope"), e.getMessage());
        assertTrue(e.getMessage().contains("zeros"), e.getMessage());
        assertEquals(liveBefore, Torch.liveHandles());

        Tensor kept;
        try (TensorScope s = TensorScope.open()) {
            kept = s.keep(Tensor.ones(2, 2));
        }
        long live = Torch.liveHandles();
        List<Supplier<Object>> ops = List.of(
                () -> kept.add(1), () -> kept.add(kept), () -> kept.matmul(kept), () -> kept.sum(),
                () -> kept.view(4), () -> kept.t(), () -> kept.max(0, false), () -> kept.topk(1, 0),
                () -> kept.to(DType.FLOAT64), () -> kept.copy(), () -> F.relu(kept), () -> F.softmax(kept, 1),
                () -> Tensor.of(new float[] {1}, 1), () -> Tensor.scalar(1));
        for (Supplier<Object> op : ops) {
            assertThrows(IllegalStateException.class, op::get);
            assertEquals(live, Torch.liveHandles(), "an op without a scope leaked a handle");
        }
        // reading back to Java needs no scope
        assertArrayEquals(new float[] {1, 1, 1, 1}, kept.toFloatArray());
        assertEquals(Shape.of(2, 2), kept.shape());
        assertTrue(kept.toString().contains("shape=[2, 2]"));
        kept.close();
    }

    @Test
    void useAfterCloseThrowsIllegalStateForEveryOp() {
        try (TensorScope s = TensorScope.open()) {
            Tensor live = Tensor.ones(2, 2);
            Tensor dead = Tensor.ones(2, 2);
            dead.close();
            List<Executable> ops = List.of(
                    () -> dead.add(1), () -> dead.add(live), () -> live.add(dead), () -> live.matmul(dead),
                    () -> dead.item(), dead::toFloatArray, dead::toLongArray, dead::shape, dead::dim,
                    dead::numel, dead::dtype, dead::device, () -> dead.size(0), () -> dead.view(4),
                    () -> dead.sum(), () -> dead.max(1, true), () -> dead.to(Device.CPU), dead::copy,
                    () -> dead.eq(live), () -> live.indexSelect(0, dead), () -> F.relu(dead),
                    () -> F.crossEntropy(dead, live), dead::backward, () -> dead.requiresGrad(true));
            for (Executable op : ops) {
                assertThrows(IllegalStateException.class, op);
            }
            assertTrue(dead.isClosed());
            assertArrayEquals(new float[] {2, 2, 2, 2}, live.add(1).toFloatArray(), "the library still works");
        }
    }

    @Test
    void tensorsFreedByTheirScopeCannotBeUsed() {
        Tensor escaped;
        try (TensorScope s = TensorScope.open()) {
            escaped = Tensor.ones(3);
        }
        try (TensorScope s = TensorScope.open()) {
            assertThrows(IllegalStateException.class, () -> escaped.add(1));
            assertThrows(IllegalStateException.class, escaped::toFloatArray);
            assertEquals(0, s.size());
        }
        assertTrue(escaped.toString().contains("closed"));
    }

    @Test
    void tensorCloseIsIdempotent() {
        Tensor kept;
        try (TensorScope s = TensorScope.open()) {
            kept = s.keep(Tensor.ones(2));
        }
        long live = Torch.liveHandles();
        kept.close();
        assertEquals(live - 1, Torch.liveHandles());
        kept.close();
        kept.close();
        assertEquals(live - 1, Torch.liveHandles(), "a second close must not decrement again");
        assertTrue(kept.isClosed());
    }

    // ============================================================ modules and scopes

    @Test
    void modelBuiltInsideScopeOutlivesIt() {
        Sequential model;
        try (TensorScope s = TensorScope.open()) {
            model = Sequential.of(new Linear(4, 8), new ReLU(), new Linear(8, 2));
            Tensor y = model.forward(Tensor.ones(3, 4));
            assertEquals(Shape.of(3, 2), y.shape());
        }
        try {
            for (Tensor p : model.parameters()) {
                assertFalse(p.isClosed(), "a scope must not free module parameters");
            }
            try (TensorScope s = TensorScope.open()) {
                Tensor y = model.forward(Tensor.ones(5, 4));
                assertEquals(Shape.of(5, 2), y.shape());
                assertTrue(Float.isFinite(y.sum().toFloatArray()[0]));
            }
        } finally {
            model.close();
        }
    }

    @Test
    void forwardOutsideAnyScopeThrowsAndLeaksNothing() {
        try (Module model = Sequential.of(new Linear(4, 8), new ReLU(), new Linear(8, 2))) {
            Tensor x;
            try (TensorScope s = TensorScope.open()) {
                x = s.keep(Tensor.ones(3, 4));
            }
            long live = Torch.liveHandles();
            assertThrows(IllegalStateException.class, () -> model.forward(x));
            assertEquals(live, Torch.liveHandles(), "forward without a scope leaked");
            x.close();
        }
    }

    // ============================================================ volume

    /**
     * glibc's {@code mallinfo2}: the bytes malloc has handed out and not had back, summed over all
     * arenas, mmap'd chunks included. libtorch's tensors (TensorImpl, storage, data) are all malloc'd,
     * so this sees a native leak directly; the process's RSS does not, because the JVM uncommits and
     * re-grows its heap after a full GC by more than 100 MB in a full test run (one CI run saw RSS
     * fall 13% over this loop).
     */
    @Structure.FieldOrder({"arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks",
        "fordblks", "keepcost"})
    public static final class MallInfo2 extends Structure implements Structure.ByValue {
        public long arena;
        public long ordblks;
        public long smblks;
        public long hblks;
        public long hblkhd;
        public long usmblks;
        public long fsmblks;
        public long uordblks;
        public long fordblks;
        public long keepcost;
    }

    /** The one libc call this test needs (glibc 2.33 and later). */
    interface MallocStats extends Library {
        MallocStats C = Native.load("c", MallocStats.class);

        MallInfo2 mallinfo2();
    }

    private static long mallocInUseKb() {
        MallInfo2 m = MallocStats.C.mallinfo2();
        return (m.uordblks + m.hblkhd) / 1024;
    }

    private static void scopedAdds(Tensor a, Tensor b, int n) {
        for (int done = 0; done < n; done += 1000) {
            try (TensorScope s = TensorScope.open()) {
                for (int i = 0; i < 1000; i++) {
                    a.add(b);
                }
            }
        }
    }

    /**
     * A leak of one 4x4 result per op would hold about 44 MB of malloc here (measured by keeping
     * 100,000 of them); the bound is a tenth of that. The count is the whole process's, so the JIT
     * compiling this loop, or another test's thread, can move it by several MB once (8 MB in one full
     * run); a leak grows it in every round, so the test passes on the first of three rounds of
     * 100,000 ops that stays under the bound.
     */
    @Test
    void hundredThousandScopedOpsFreeEverythingAndKeepNativeMemoryFlat() {
        Tensor a;
        Tensor b;
        try (TensorScope s = TensorScope.open()) {
            a = s.keep(Tensor.rand(4, 4));
            b = s.keep(Tensor.rand(4, 4));
        }
        try {
            long base = Torch.liveHandles();
            scopedAdds(a, b, 10_000);
            assertEquals(base, Torch.liveHandles());
            List<String> rounds = new ArrayList<>();
            for (int round = 0; round < 3; round++) {
                long warm = mallocInUseKb();
                scopedAdds(a, b, 100_000);
                long after = mallocInUseKb();
                assertEquals(base, Torch.liveHandles(), "100,000 scoped ops must free every handle");
                if (after - warm <= 4_400) {
                    return;
                }
                rounds.add(String.format("%+d kB (%d -> %d)", after - warm, warm, after));
            }
            fail("malloc in use grew in every round of 100,000 scoped ops: " + rounds);
        } finally {
            a.close();
            b.close();
        }
    }

    @Test
    void oneScopePerIterationAlsoReturnsToBaseline() {
        Tensor a;
        try (TensorScope s = TensorScope.open()) {
            a = s.keep(Tensor.ones(8));
        }
        try {
            long base = Torch.liveHandles();
            for (int i = 0; i < 5_000; i++) {
                try (TensorScope s = TensorScope.open()) {
                    a.mul(2).add(1).sum();
                }
            }
            assertEquals(base, Torch.liveHandles());
        } finally {
            a.close();
        }
    }

    // ============================================================ leak tracking

    @Test
    void leakTrackingReportsCreationSiteUntilClosed() {
        String me = "leakTrackingReportsCreationSiteUntilClosed";
        Torch.setLeakTracking(true);
        Tensor leaked;
        try {
            try (TensorScope s = TensorScope.open()) {
                leaked = s.keep(Tensor.ones(3, 5));
                Tensor.zeros(2); // freed by the scope: must not be reported
            }
            List<String> mine = Torch.leakReport().stream().filter(r -> r.contains(me)).toList();
            assertEquals(1, mine.size(), "expected exactly the kept tensor in " + Torch.leakReport());
            String entry = mine.get(0);
            assertTrue(entry.contains("TensorScopeTest"), entry);
            assertTrue(entry.contains("[3, 5]"), "the report should describe the tensor: " + entry);
            leaked.close();
            assertTrue(Torch.leakReport().stream().noneMatch(r -> r.contains(me)),
                    "closed tensor still reported: " + Torch.leakReport());
        } finally {
            Torch.setLeakTracking(false);
        }
    }

    @Test
    void leakTrackingOffRecordsNothing() {
        Torch.setLeakTracking(false);
        Tensor kept;
        try (TensorScope s = TensorScope.open()) {
            kept = s.keep(Tensor.ones(1));
        }
        try {
            assertTrue(Torch.leakReport().stream().noneMatch(r -> r.contains("leakTrackingOffRecordsNothing")));
        } finally {
            kept.close();
        }
    }
}
