package dev.jtorch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jtorch.tensor.Tensor;
import dev.jtorch.tensor.TensorScope;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Process-wide settings: threads, versions, pointer GC, device discovery, handle accounting. */
class TorchTest {
    private long liveBefore;

    @BeforeEach
    void recordLiveHandles() {
        Torch.init();
        liveBefore = Torch.liveHandles();
    }

    @AfterEach
    void noHandleLeaked() {
        assertEquals(liveBefore, Torch.liveHandles(), "native handles leaked by this test");
    }

    @Test
    void numThreadsIsPositive() {
        assertTrue(Torch.numThreads() >= 1, "numThreads = " + Torch.numThreads());
    }

    @Test
    void setNumThreadsRoundTripsAndKeepsBlasSingleThreaded() {
        int original = Torch.numThreads();
        try {
            Torch.setNumThreads(1);
            assertEquals(1, Torch.numThreads());
            assertEquals(1, Torch.blasThreads());
            Torch.setNumThreads(2);
            assertEquals(2, Torch.numThreads());
            assertEquals(1, Torch.blasThreads(), "OpenBLAS must stay single-threaded whatever libtorch uses");
        } finally {
            Torch.setNumThreads(original);
        }
        assertEquals(original, Torch.numThreads());
    }

    @Test
    void setNumThreadsRejectsNonPositive() {
        int original = Torch.numThreads();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Torch.setNumThreads(0));
        assertTrue(e.getMessage().contains("0"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Torch.setNumThreads(-3));
        assertEquals(original, Torch.numThreads(), "a rejected call must not change the pool");
    }

    @Test
    void libtorchVersionIs210() {
        String v = Torch.libtorchVersion();
        assertTrue(v.startsWith("2.10"), v);
        assertFalse(v.contains("-"), "libtorch version must not carry the presets suffix: " + v);
    }

    @Test
    void presetsVersionExtendsLibtorchVersion() {
        String p = Torch.presetsVersion();
        assertTrue(p.startsWith(Torch.libtorchVersion() + "-"), p);
        assertTrue(p.endsWith("1.5.13"), p);
    }

    @Test
    void versionIsNeverNull() {
        assertTrue(Torch.version() != null && !Torch.version().isEmpty());
    }

    @Test
    void pointerGcIsOff() {
        assertFalse(Torch.pointerGc());
        assertEquals("true", System.getProperty("org.bytedeco.javacpp.nopointergc"));
    }

    @Test
    void bestDeviceIsCpuWithoutGpu() {
        Device best = Device.best();
        assertSame(Device.CPU, best);
        assertEquals("cpu", best.toString());
        assertFalse(best.isCuda());
    }

    @Test
    void initIsIdempotent() {
        Torch.init();
        Torch.init();
        assertTrue(Torch.numThreads() >= 1);
    }

    @Test
    void liveHandlesStableAcrossIdleCalls() {
        long a = Torch.liveHandles();
        Torch.numThreads();
        Torch.libtorchVersion();
        Torch.pointerGc();
        Device.best();
        Torch.manualSeed(7);
        long b = Torch.liveHandles();
        assertEquals(a, b);
        assertEquals(b, Torch.liveHandles());
    }

    @Test
    void untrackedTensorsAreNotInLeakReport() {
        Torch.setLeakTracking(false);
        int before = Torch.leakReport().size();
        Tensor kept;
        try (TensorScope s = TensorScope.open()) {
            kept = s.keep(Tensor.ones(2));
        }
        try {
            assertEquals(before, Torch.leakReport().size(), "tracking is off: nothing may be recorded");
        } finally {
            kept.close();
        }
    }
}
