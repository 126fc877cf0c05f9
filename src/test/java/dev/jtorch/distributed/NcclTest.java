package dev.jtorch.distributed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jtorch.DType;
import dev.jtorch.Device;
import dev.jtorch.cuda.Cuda;
import dev.jtorch.models.SimpleNN;
import dev.jtorch.nn.functional.F;
import dev.jtorch.tensor.Shape;
import dev.jtorch.tensor.Tensor;
import dev.jtorch.tensor.TensorScope;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The NCCL path: collectives on CUDA tensors and a data-parallel step, one thread per GPU.
 * Tagged {@code cuda} (run with {@code mvn -Pcuda test} on a machine with NVIDIA GPUs);
 * <b>not yet run on hardware</b> — the CPU natives ship no NCCL and no GPU was available.
 */
@Tag("cuda")
class NcclTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @BeforeEach
    void needsCuda() {
        assumeTrue(Cuda.isAvailable(), "no CUDA device visible to libtorch");
    }

    private static int world() {
        return Math.min(2, Cuda.deviceCount());
    }

    @Test
    void allReduceAndBroadcastOnCudaTensors() throws Exception {
        int world = world();
        List<float[]> res = ProcessGroupTest.onRanks(world, ProcessGroupTest.tcp(), Backend.NCCL, g -> {
            try (TensorScope s = TensorScope.open()) {
                Device dev = Device.cuda(g.rank());
                Tensor t = Tensor.full(Shape.of(4), g.rank() + 1, DType.FLOAT32, dev);
                g.allReduce(t);
                Tensor b = Tensor.full(Shape.of(2), g.rank() == 0 ? 7 : -1, DType.FLOAT32, dev);
                g.broadcast(0, b);
                float[] out = new float[6];
                System.arraycopy(t.to(Device.CPU).toFloatArray(), 0, out, 0, 4);
                System.arraycopy(b.to(Device.CPU).toFloatArray(), 0, out, 4, 2);
                return out;
            }
        }, TIMEOUT);
        float sum = world * (world + 1) / 2f;
        for (float[] r : res) {
            assertArrayEquals(new float[] {sum, sum, sum, sum, 7, 7}, r, 0f);
        }
    }

    @Test
    void dataParallelStepAveragesGradientsAcrossGpus() throws Exception {
        int world = world();
        List<float[]> grads = ProcessGroupTest.onRanks(world, ProcessGroupTest.tcp(), Backend.NCCL, g -> {
            try (SimpleNN m = new SimpleNN(); TensorScope s = TensorScope.open()) {
                Device dev = Device.cuda(g.rank());
                m.to(dev);
                try (DistributedDataParallel ddp = new DistributedDataParallel(m, g)) {
                    // every rank starts from rank 0's weights; all ranks see the same batch here,
                    // so the averaged gradient must equal each rank's own
                    Tensor x = Tensor.ones(Shape.of(8, 784), DType.FLOAT32, dev);
                    Tensor y = Tensor.zeros(Shape.of(8), DType.INT64, dev);
                    F.crossEntropy(m.forward(x), y).backward();
                    float[] own = m.parameters().get(0).grad().to(Device.CPU).toFloatArray();
                    ddp.syncGradients();
                    float[] mean = m.parameters().get(0).grad().to(Device.CPU).toFloatArray();
                    assertArrayEquals(own, mean, 1e-6f);
                    return mean;
                }
            }
        }, TIMEOUT);
        assertEquals(world, grads.size());
        for (float[] gr : grads) {
            assertArrayEquals(grads.get(0), gr, 0f);
        }
    }
}
