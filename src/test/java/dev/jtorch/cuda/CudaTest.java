package dev.jtorch.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jtorch.DType;
import dev.jtorch.Device;
import dev.jtorch.Torch;
import dev.jtorch.TorchOutOfMemoryException;
import dev.jtorch.nn.Linear;
import dev.jtorch.nn.Module;
import dev.jtorch.nn.functional.F;
import dev.jtorch.optim.SGD;
import dev.jtorch.optim.SGDOptions;
import dev.jtorch.tensor.Shape;
import dev.jtorch.tensor.Tensor;
import dev.jtorch.tensor.TensorScope;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * jtorch on a real CUDA device: CPU/CUDA parity, training on the device, allocator accounting and
 * out-of-memory recovery. Tagged {@code cuda}: excluded by default, run with {@code mvn -Pcuda test}
 * on a machine with a CUDA device; every test is skipped when none is visible.
 */
@Tag("cuda")
class CudaTest {
    private static final Device GPU = Device.cuda(0);
    private static final long MIB = 1L << 20;

    /** The tutorial's SimpleNN: 28x28 images to 10 logits. */
    static final class SimpleNN extends Module {
        final Linear fc1 = register("fc1", new Linear(784, 128));
        final Linear fc2 = register("fc2", new Linear(128, 10));

        @Override
        public Tensor forward(Tensor x) {
            return fc2.forward(F.relu(fc1.forward(x.view(-1, 784))));
        }
    }

    @BeforeEach
    void requireCuda() {
        assumeTrue(Cuda.isAvailable(), "no CUDA device visible to libtorch");
        assertFalse(TensorScope.isOpen());
    }

    @AfterEach
    void noScopeLeft() {
        assertFalse(TensorScope.isOpen(), "this test left a scope open");
    }

    private static long[] randomLabels(int n, int classes, long seed) {
        java.util.Random r = new java.util.Random(seed);
        long[] out = new long[n];
        for (int i = 0; i < n; i++) {
            out[i] = r.nextInt(classes);
        }
        return out;
    }

    // ------------------------------------------------------------------ devices and statistics

    @Test
    void devicesAndStatistics() {
        assertTrue(Cuda.deviceCount() >= 1);
        assertEquals(GPU, Device.best());
        Cuda.synchronize();
        Cuda.synchronize(0);
        MemoryStats s = Cuda.memoryStats(0);
        assertEquals(0, s.device());
        assertTrue(s.allocatedBytes() >= 0 && s.reservedBytes() >= s.allocatedBytes(), s.toString());
        assertTrue(s.peakAllocatedBytes() >= s.allocatedBytes(), s.toString());
        assertTrue(s.peakReservedBytes() >= s.reservedBytes(), s.toString());
        int n = Cuda.deviceCount();
        assertThrows(IllegalArgumentException.class, () -> Cuda.memoryStats(n));
        assertThrows(IllegalArgumentException.class, () -> Cuda.allocatedBytes(-1));
        assertThrows(IllegalArgumentException.class, () -> Cuda.synchronize(n));
        assertThrows(IllegalArgumentException.class, () -> Cuda.synchronize(-1));
        assertThrows(IllegalArgumentException.class, () -> Cuda.resetPeakStats(n));
    }

    @Test
    void allocationShowsInTheFiguresAndPeak() {
        Cuda.synchronize(0);
        long base = Cuda.allocatedBytes(0);
        Cuda.resetPeakStats(0);
        assertEquals(base, Cuda.peakAllocatedBytes(0), "after a reset the peak is the current figure");
        try (TensorScope s = TensorScope.open()) {
            Tensor t = Tensor.zeros(Shape.of(1024, 1024), DType.FLOAT32, GPU); // 4 MiB
            assertEquals(GPU, t.device());
            assertTrue(Cuda.allocatedBytes(0) >= base + 4 * MIB);
            assertTrue(Cuda.reservedBytes(0) >= Cuda.allocatedBytes(0));
        }
        assertEquals(base, Cuda.allocatedBytes(0), "the scope returned every byte");
        assertTrue(Cuda.peakAllocatedBytes(0) >= base + 4 * MIB);
        Cuda.emptyCache();
        MemoryStats after = Cuda.memoryStats(0);
        assertEquals(base, after.allocatedBytes());
        assertTrue(after.reservedBytes() >= after.allocatedBytes());
    }

    // ------------------------------------------------------------------ parity with the CPU

    @Test
    void softmaxMatchesTheCpu() {
        Torch.manualSeed(7);
        try (TensorScope s = TensorScope.open()) {
            Tensor x = Tensor.randn(Shape.of(64, 10), DType.FLOAT32, Device.CPU).mul(3);
            Tensor onGpu = F.softmax(x.to(GPU), 1);
            assertEquals(GPU, onGpu.device());
            assertArrayEquals(F.softmax(x, 1).toFloatArray(), onGpu.toFloatArray(), 1e-6f);
            assertArrayEquals(F.logSoftmax(x, 1).toFloatArray(), F.logSoftmax(x.to(GPU), 1).toFloatArray(), 1e-5f);
        }
    }

    @Test
    void crossEntropyAndItsGradientMatchTheCpu() {
        Torch.manualSeed(11);
        try (TensorScope s = TensorScope.open()) {
            Tensor cpuLogits = Tensor.randn(Shape.of(32, 10), DType.FLOAT32, Device.CPU).mul(2).requiresGrad(true);
            Tensor gpuLogits = cpuLogits.detach().to(GPU).requiresGrad(true);
            assertTrue(gpuLogits.isLeaf());
            long[] labels = randomLabels(32, 10, 3);
            Tensor cpuLabels = Tensor.of(labels, Shape.of(32), DType.INT64, Device.CPU);
            Tensor gpuLabels = Tensor.of(labels, Shape.of(32), DType.INT64, GPU);

            Tensor cpuLoss = F.crossEntropy(cpuLogits, cpuLabels);
            Tensor gpuLoss = F.crossEntropy(gpuLogits, gpuLabels);
            assertEquals(GPU, gpuLoss.device());
            assertEquals(cpuLoss.item(), gpuLoss.item(), 1e-5);

            cpuLoss.backward();
            gpuLoss.backward();
            Tensor gpuGrad = gpuLogits.grad();
            assertNotNull(gpuGrad);
            assertEquals(GPU, gpuGrad.device());
            assertArrayEquals(cpuLogits.grad().toFloatArray(), gpuGrad.toFloatArray(), 1e-6f);
        }
    }

    // ------------------------------------------------------------------ a model on the device

    @Test
    void simpleNNTrainsOnTheDeviceLikeOnTheCpu() {
        Torch.manualSeed(42);
        try (SimpleNN cpu = new SimpleNN()) {
            Torch.manualSeed(42);
            try (SimpleNN gpu = new SimpleNN()) {
                gpu.to(GPU);
                for (Tensor p : gpu.parameters()) {
                    assertEquals(GPU, p.device());
                }
                float[] before;
                try (TensorScope s = TensorScope.open()) {
                    before = gpu.fc1.weight().toFloatArray();
                    assertArrayEquals(cpu.fc1.weight().toFloatArray(), before, 0f, "same seed, same weights");
                }
                try (SGD cpuOpt = new SGD(cpu.parameters(), SGDOptions.lr(0.1).withMomentum(0.9));
                     SGD gpuOpt = new SGD(gpu.parameters(), SGDOptions.lr(0.1).withMomentum(0.9))) {
                    for (int step = 0; step < 3; step++) {
                        try (TensorScope s = TensorScope.open()) {
                            Tensor images = Tensor.rand(Shape.of(16, 1, 28, 28), DType.FLOAT32, Device.CPU);
                            long[] labels = randomLabels(16, 10, step);
                            Tensor cpuLoss = F.crossEntropy(cpu.forward(images),
                                    Tensor.of(labels, Shape.of(16), DType.INT64, Device.CPU));
                            Tensor gpuLogits = gpu.forward(images.to(GPU));
                            assertEquals(GPU, gpuLogits.device());
                            assertArrayEquals(new long[] {16, 10}, gpuLogits.shape().toArray());
                            Tensor gpuLoss = F.crossEntropy(gpuLogits, Tensor.of(labels, Shape.of(16), DType.INT64, GPU));
                            assertTrue(Double.isFinite(gpuLoss.item()));
                            assertEquals(cpuLoss.item(), gpuLoss.item(), 1e-4, "loss at step " + step);

                            cpuOpt.zeroGrad();
                            cpuLoss.backward();
                            cpuOpt.step();
                            gpuOpt.zeroGrad();
                            gpuLoss.backward();
                            Tensor g = gpu.fc1.weight().grad();
                            assertNotNull(g, "backward reached the device parameters");
                            assertEquals(GPU, g.device());
                            gpuOpt.step();
                        }
                    }
                }
                try (TensorScope s = TensorScope.open()) {
                    float[] after = gpu.fc1.weight().toFloatArray();
                    assertFalse(Arrays.equals(before, after), "SGD changed the weights on the device");
                    assertArrayEquals(cpu.fc1.weight().toFloatArray(), after, 1e-4f);
                    assertArrayEquals(cpu.fc2.bias().toFloatArray(), gpu.fc2.bias().toFloatArray(), 1e-4f);
                }
            }
        }
    }

    // ------------------------------------------------------------------ memory accounting

    @Test
    void allocatedBytesStayFlatOverAThousandScopedSteps() {
        Torch.manualSeed(0);
        try (SimpleNN model = new SimpleNN()) {
            model.to(GPU);
            try (SGD opt = new SGD(model.parameters(), SGDOptions.lr(0.01).withMomentum(0.9))) {
                Runnable step = () -> {
                    try (TensorScope s = TensorScope.open()) {
                        Tensor images = Tensor.rand(Shape.of(64, 784), DType.FLOAT32, GPU);
                        Tensor labels = Tensor.rand(Shape.of(64), DType.FLOAT32, GPU).mul(10).to(DType.INT64);
                        Tensor loss = F.crossEntropy(model.forward(images), labels);
                        opt.zeroGrad();
                        loss.backward();
                        opt.step();
                        F.softmax(model.forward(images), 1).argmax(1);
                    }
                };
                // Warm-up: gradients, momentum buffers and the cuBLAS workspace are allocated once.
                for (int i = 0; i < 5; i++) {
                    step.run();
                }
                Cuda.synchronize(0);
                long baseline = Cuda.allocatedBytes(0);
                Cuda.resetPeakStats(0);
                long highest = baseline;
                for (int i = 0; i < 1000; i++) {
                    step.run();
                    highest = Math.max(highest, Cuda.allocatedBytes(0));
                    assertEquals(baseline, Cuda.allocatedBytes(0), "allocated bytes after step " + i);
                }
                Cuda.synchronize(0);
                assertEquals(baseline, Cuda.allocatedBytes(0), "allocated bytes after 1000 scoped steps");
                assertEquals(baseline, highest);
                assertTrue(Cuda.peakAllocatedBytes(0) > baseline, "the steps did allocate inside their scopes");
                assertTrue(Cuda.peakAllocatedBytes(0) < baseline + 64 * MIB, "no step held more than a step's worth");
            }
        }
    }

    @Test
    void aScopeReportsTheDeviceBytesItFreed() {
        long base = Cuda.allocatedBytes(0);
        TensorScope s = TensorScope.open();
        try {
            Tensor t = Tensor.ones(Shape.of(1024, 1024), DType.FLOAT32, GPU); // 4 MiB
            assertEquals(GPU, t.device());
            Tensor.zeros(Shape.of(8), DType.FLOAT32, Device.CPU); // host tensors are not counted
        } finally {
            s.close();
        }
        assertTrue(s.freedDeviceBytes() >= 4 * MIB, "freed " + s.freedDeviceBytes());
        assertEquals(base, Cuda.allocatedBytes(0));

        TensorScope host = TensorScope.open();
        try {
            Tensor.ones(Shape.of(1024, 1024), DType.FLOAT32, Device.CPU);
        } finally {
            host.close();
        }
        assertEquals(0, host.freedDeviceBytes(), "a scope with only host tensors frees no device bytes");

        // A tensor kept out of the scope is not freed by it, so not counted.
        TensorScope outer = TensorScope.open();
        try {
            TensorScope inner = TensorScope.open();
            try {
                inner.keep(Tensor.ones(Shape.of(1024, 1024), DType.FLOAT32, GPU));
            } finally {
                inner.close();
            }
            assertEquals(0, inner.freedDeviceBytes());
        } finally {
            outer.close();
        }
        assertTrue(outer.freedDeviceBytes() >= 4 * MIB);
    }

    // ------------------------------------------------------------------ out of memory

    @Test
    void outOfMemoryIsCaughtWithFiguresAndRecovered() {
        long elements = 2_500_000_000_000L; // float32: 1e13 bytes, far beyond any device
        try (TensorScope s = TensorScope.open()) {
            Tensor held = Tensor.ones(Shape.of(1024, 1024), DType.FLOAT32, GPU); // 4 MiB the figures must show
            TorchOutOfMemoryException e = assertThrows(TorchOutOfMemoryException.class,
                    () -> Tensor.zeros(Shape.of(elements), DType.FLOAT32, GPU));
            assertEquals(GPU, e.device(), e.getMessage());
            assertTrue(e.allocatedBytes() >= 4 * MIB, "allocated " + e.allocatedBytes());
            assertTrue(e.reservedBytes() >= e.allocatedBytes(), "reserved " + e.reservedBytes());
            assertTrue(e.getMessage().contains("caching allocator"), e.getMessage());
            assertFalse(e.getMessage().contains("Exception raised from"), e.getMessage());
            assertTrue(e.nativeMessage().contains("out of memory"), e.nativeMessage());
            assertEquals(1024.0 * 1024.0, held.sum().item(), 0.0, "tensors made before the failure still work");
        }
        assertTrue(Cuda.memoryStats(0).outOfMemoryCount() >= 1);
        Cuda.emptyCache();
        try (TensorScope s = TensorScope.open()) {
            Tensor t = Tensor.ones(Shape.of(256, 1024), DType.FLOAT32, GPU);
            assertEquals(256.0 * 1024.0, t.sum().item(), 0.0, "a normal allocation works after the OOM");
        }
    }

    @Test
    void memoryFractionCapsTheAllocator() {
        assertEquals(1.0, Cuda.memoryFraction(0), 1e-9, "no cap by default");
        Cuda.emptyCache();
        try {
            Cuda.setMemoryFraction(1e-4, 0); // ~14 MiB of an H200, less on smaller cards
            assertEquals(1e-4, Cuda.memoryFraction(0), 1e-9);
            try (TensorScope s = TensorScope.open()) {
                TorchOutOfMemoryException e = assertThrows(TorchOutOfMemoryException.class,
                        () -> Tensor.zeros(Shape.of(64, 1024, 1024), DType.FLOAT32, GPU)); // 256 MiB
                assertEquals(GPU, e.device());
            }
        } finally {
            Cuda.setMemoryFraction(1.0, 0);
        }
        assertEquals(1.0, Cuda.memoryFraction(0), 1e-9);
        try (TensorScope s = TensorScope.open()) {
            Tensor t = Tensor.zeros(Shape.of(64, 1024, 1024), DType.FLOAT32, GPU);
            assertEquals(0.0, t.sum().item(), 0.0);
        }
        assertThrows(IllegalArgumentException.class, () -> Cuda.setMemoryFraction(1.5, 0));
        assertThrows(IllegalArgumentException.class, () -> Cuda.setMemoryFraction(0.5, Cuda.deviceCount()));
    }

    @Test
    void aDeviceGeneratorGivesReproducibleStreamsAndACpuOneIsRefused() {
        try (dev.jtorch.tensor.Generator a = new dev.jtorch.tensor.Generator(GPU).manualSeed(5);
             dev.jtorch.tensor.Generator b = new dev.jtorch.tensor.Generator(GPU).manualSeed(5);
             dev.jtorch.tensor.Generator host = new dev.jtorch.tensor.Generator().manualSeed(5);
             TensorScope s = TensorScope.open()) {
            assertEquals(GPU, a.device());
            Tensor x = Tensor.randn(new long[] {1000}, a, DType.FLOAT32, GPU);
            Tensor y = Tensor.randn(new long[] {1000}, b, DType.FLOAT32, GPU);
            assertEquals(GPU, x.device());
            assertTrue(x.equal(y), "same seed, same stream");
            byte[] state = a.state();
            Tensor next = Tensor.rand(new long[] {10}, a, DType.FLOAT32, GPU);
            a.setState(state);
            assertTrue(next.equal(Tensor.rand(new long[] {10}, a, DType.FLOAT32, GPU)), "state restored");
            assertThrows(dev.jtorch.TorchException.class,
                    () -> Tensor.randn(new long[] {10}, host, DType.FLOAT32, GPU), "a CPU generator for a CUDA kernel");
        }
    }
}
