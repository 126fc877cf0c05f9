package dev.jtorch.cuda;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.jtorch.DType;
import dev.jtorch.Device;
import dev.jtorch.Torch;
import dev.jtorch.TorchException;
import dev.jtorch.TorchOutOfMemoryException;
import dev.jtorch.internal.Errors;
import dev.jtorch.internal.NativeCuda;
import dev.jtorch.nn.functional.F;
import dev.jtorch.tensor.Shape;
import dev.jtorch.tensor.Tensor;
import dev.jtorch.tensor.TensorScope;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * What {@link Cuda} does where there is no CUDA (CI runs the CPU build): clean answers, clear
 * exceptions, never a {@link LinkageError}; plus the parts of the OOM and scope accounting that
 * hold everywhere.
 */
class CudaCpuBuildTest {
    private static final String MESSAGE = "CUDA is not available: this is the CPU build of jtorch; build with -Pcuda";
    private static final String HOST_OOM = "DefaultCPUAllocator: can't allocate memory: you tried to allocate"
            + " 10000000000000 bytes. Error code 12 (Cannot allocate memory)\n"
            + "Exception raised from alloc_cpu at /pytorch/c10/core/impl/alloc_cpu.cpp:117 (most recent call first):\n"
            + "frame #0: c10::Error::Error(...) + 0x9a";
    private static final String CUDA_OOM = "CUDA out of memory. Tried to allocate 9.09 TiB. GPU 0 has a total"
            + " capacity of 139.72 GiB of which 139.1 GiB is free. Of the allocated memory 0 bytes is allocated"
            + " by PyTorch, and 0 bytes is reserved by PyTorch but unallocated.\n"
            + "Exception raised from malloc at /pytorch/c10/cuda/CUDACachingAllocator.cpp:1450 (most recent call first):";

    private long liveBefore;

    @BeforeEach
    void load() {
        Torch.init();
        assertFalse(TensorScope.isOpen());
        liveBefore = Torch.liveHandles();
    }

    @AfterEach
    void noLeak() {
        assertFalse(TensorScope.isOpen());
        assertEquals(liveBefore, Torch.liveHandles(), "native handles leaked");
    }

    /** Runs {@code call}, failing the test if a LinkageError (or anything but the expected exception) escapes. */
    private static <T extends Throwable> T expect(Class<T> type, Executable call) {
        try {
            call.execute();
        } catch (Throwable t) {
            assertFalse(t instanceof LinkageError, () -> "LinkageError escaped: " + t);
            assertInstanceOf(type, t, () -> "expected " + type.getSimpleName() + ", got " + t);
            return type.cast(t);
        }
        throw new AssertionError("expected " + type.getSimpleName() + ", nothing was thrown");
    }

    @Test
    void noDeviceWithoutCuda() {
        assumeFalse(Cuda.isAvailable(), "this machine has CUDA: the CPU-build behaviour does not apply");
        assertFalse(Cuda.isAvailable());
        assertEquals(0, Cuda.deviceCount());
        assertFalse(Cuda.isAvailable(), "detection is stable");
        assertEquals(Device.CPU, Device.best());
    }

    @Test
    void everyCallNamingADeviceThrowsTheClearMessage() {
        assumeFalse(Cuda.isAvailable(), "this machine has CUDA: the CPU-build behaviour does not apply");
        Map<String, Executable> calls = new LinkedHashMap<>();
        calls.put("memoryStats", () -> Cuda.memoryStats(0));
        calls.put("allocatedBytes", () -> Cuda.allocatedBytes(0));
        calls.put("reservedBytes", () -> Cuda.reservedBytes(0));
        calls.put("peakAllocatedBytes", () -> Cuda.peakAllocatedBytes(0));
        calls.put("resetPeakStats", () -> Cuda.resetPeakStats(0));
        calls.put("setMemoryFraction", () -> Cuda.setMemoryFraction(0.5, 0));
        calls.put("memoryFraction", () -> Cuda.memoryFraction(0));
        calls.put("synchronize(0)", () -> Cuda.synchronize(0));
        calls.put("synchronize(1)", () -> Cuda.synchronize(1));
        calls.put("synchronize(-1)", () -> Cuda.synchronize(-1));
        calls.put("allocatedBytes(-1)", () -> Cuda.allocatedBytes(-1));
        calls.put("new Generator(cuda:0)", () -> new dev.jtorch.tensor.Generator(Device.cuda(0)).close());
        for (int round = 0; round < 2; round++) { // the second round proves nothing was left half-initialised
            for (Map.Entry<String, Executable> c : calls.entrySet()) {
                UnsupportedOperationException e = expect(UnsupportedOperationException.class, c.getValue());
                assertEquals(MESSAGE, e.getMessage(), c.getKey());
            }
        }
    }

    @Test
    void callsNamingNoDeviceAreNoOps() {
        assumeFalse(Cuda.isAvailable(), "this machine has CUDA: the CPU-build behaviour does not apply");
        for (int i = 0; i < 3; i++) {
            assertDoesNotThrow(() -> Cuda.synchronize());
            assertDoesNotThrow(() -> Cuda.emptyCache());
        }
    }

    @Test
    void badFractionIsAnArgumentErrorEverywhere() {
        for (double f : new double[] {-0.1, 1.5, Double.NaN, Double.POSITIVE_INFINITY}) {
            IllegalArgumentException e = expect(IllegalArgumentException.class, () -> Cuda.setMemoryFraction(f, 0));
            assertTrue(e.getMessage().contains("[0, 1]"), e.getMessage());
        }
    }

    @Test
    void cudaBindingsFailCleanlyOnTheCpuBuild() {
        assumeFalse(Cuda.isAvailable(), "this machine has CUDA: the CPU-build behaviour does not apply");
        // Forces the one attempt to link the torch_cuda presets: on the CPU build the org.bytedeco:cuda
        // presets are absent, so class initialisation fails; that must come back as a string.
        String problem = assertDoesNotThrow(NativeCuda::bindingProblem);
        assertNotNull(problem, "the CPU build cannot have working CUDA allocator bindings");
        assertEquals(problem, NativeCuda.bindingProblem(), "the failure is remembered, not retried");
        // ... and the public calls still answer with the clear message afterwards.
        assertEquals(MESSAGE, expect(UnsupportedOperationException.class, () -> Cuda.memoryStats(0)).getMessage());
        assertDoesNotThrow(() -> Cuda.emptyCache());
    }

    @Test
    void aCudaTensorOnTheCpuBuildIsATorchException() {
        assumeFalse(Cuda.isAvailable(), "this machine has CUDA: the CPU-build behaviour does not apply");
        TensorScope s = TensorScope.open();
        try {
            expect(TorchException.class, () -> Tensor.zeros(Shape.of(4), DType.FLOAT32, Device.cuda(0)));
        } finally {
            s.close();
        }
        assertEquals(0, s.freedDeviceBytes());
    }

    @Test
    void cpuScopesFreeNoDeviceBytes() {
        TensorScope outer = TensorScope.open();
        TensorScope inner;
        try {
            Tensor a = Tensor.ones(Shape.of(256, 256), DType.FLOAT32, Device.CPU);
            inner = TensorScope.open();
            Tensor b = F.relu(a.matmul(a));
            assertEquals(256, b.shape().size(0));
            assertThrows(IllegalStateException.class, inner::freedDeviceBytes, "not valid while open");
            inner.close();
            outer.keep(a.sum()).close();
        } finally {
            outer.close();
        }
        assertEquals(0, inner.freedDeviceBytes());
        assertEquals(0, outer.freedDeviceBytes());

        TensorScope empty = TensorScope.open();
        empty.close();
        assertEquals(0, empty.freedDeviceBytes());
    }

    @Test
    void nestedScopeClosedByItsParentIsMeasuredToo() {
        TensorScope outer = TensorScope.open();
        TensorScope inner = TensorScope.open();
        Tensor.zeros(3);
        outer.close(); // closes the forgotten inner scope first
        assertTrue(inner.isClosed());
        assertEquals(0, inner.freedDeviceBytes());
        assertEquals(0, outer.freedDeviceBytes());
    }

    @Test
    void hostOutOfMemoryHasNoDeviceFigures() {
        RuntimeException t = Errors.translate(new RuntimeException(HOST_OOM), "zeros([2500000000000], float32, cpu)");
        TorchOutOfMemoryException e = assertInstanceOf(TorchOutOfMemoryException.class, t);
        assertEquals(-1, e.allocatedBytes());
        assertEquals(-1, e.reservedBytes());
        assertNull(e.device());
        assertTrue(e.getMessage().startsWith("zeros([2500000000000], float32, cpu): DefaultCPUAllocator"), e.getMessage());
        assertFalse(e.getMessage().contains("Exception raised from"), e.getMessage());
        assertEquals(HOST_OOM, e.detail());
    }

    @Test
    void cudaOutOfMemoryTextWithoutCudaHasNoFigures() {
        assumeFalse(Cuda.isAvailable(), "this machine has CUDA: the figures would be real");
        RuntimeException t = Errors.translate(new RuntimeException(CUDA_OOM), "zeros([2500000000000], float32, cuda:0)");
        TorchOutOfMemoryException e = assertInstanceOf(TorchOutOfMemoryException.class, t);
        assertEquals(-1, e.allocatedBytes());
        assertEquals(-1, e.reservedBytes());
        assertNull(e.device());
        assertFalse(e.getMessage().contains("caching allocator"), e.getMessage());
        assertTrue(e.nativeMessage().startsWith("CUDA out of memory. Tried to allocate 9.09 TiB."), e.nativeMessage());
    }

    @Test
    void outOfMemoryAccessors() {
        TorchOutOfMemoryException plain = new TorchOutOfMemoryException("m", "n", "d", null);
        assertEquals(-1, plain.allocatedBytes());
        assertEquals(-1, plain.reservedBytes());
        assertNull(plain.device());
        TorchOutOfMemoryException cuda = new TorchOutOfMemoryException("m", "n", "d", null, 1, 1024, 4096);
        assertEquals(Device.cuda(1), cuda.device());
        assertEquals(1024, cuda.allocatedBytes());
        assertEquals(4096, cuda.reservedBytes());
        assertInstanceOf(TorchException.class, cuda);
    }

    @Test
    void memoryStatsRecord() {
        MemoryStats s = new MemoryStats(0, 100, 300, 200, 400, 1);
        assertEquals(200, s.cachedBytes());
        assertEquals(100, s.allocatedBytes());
        assertEquals(200, s.peakAllocatedBytes());
    }
}
