package dev.jtorch.amp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jtorch.DType;
import dev.jtorch.Device;
import dev.jtorch.NoLeaks;
import dev.jtorch.Torch;
import dev.jtorch.cuda.Cuda;
import dev.jtorch.models.SimpleNN;
import dev.jtorch.nn.Linear;
import dev.jtorch.nn.functional.F;
import dev.jtorch.optim.SGD;
import dev.jtorch.optim.SGDOptions;
import dev.jtorch.tensor.Shape;
import dev.jtorch.tensor.Tensor;
import dev.jtorch.tensor.TensorScope;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Mixed precision on a CUDA device: float16 autocast with the CUDA op policy, GradScaler training
 * and inf/NaN skipping on the device. Tagged {@code cuda} (run with {@code mvn -Pcuda test});
 * skipped without a device. Not yet run on GPU hardware.
 */
@Tag("cuda")
@ExtendWith(NoLeaks.class)
class AmpCudaTest {
    private static final Device GPU = Device.cuda(0);

    @BeforeEach
    void requireCuda() {
        assumeTrue(Cuda.isAvailable(), "no CUDA device visible to libtorch");
    }

    @AfterEach
    void autocastLeftOff() {
        assertFalse(Autocast.isEnabled(GPU));
        assertFalse(TensorScope.isOpen());
    }

    @Test
    void float16AutocastFollowsTheCudaPolicy() {
        try (TensorScope s = TensorScope.open(); Linear lin = new Linear(16, 10)) {
            lin.to(GPU);
            Tensor x = Tensor.randn(Shape.of(8, 16), DType.FLOAT32, GPU);
            Tensor target = Tensor.of(new long[] {0, 1, 2, 3, 4, 5, 6, 7}, 8).to(GPU);
            try (Autocast a = Autocast.enter(GPU, DType.FLOAT16)) {
                assertTrue(Autocast.isEnabled(GPU));
                assertFalse(Autocast.isEnabled(Device.CPU), "autocast is per device type");
                Tensor logits = lin.forward(x);
                assertEquals(DType.FLOAT16, logits.dtype());
                assertEquals(DType.FLOAT16, lin.forward(x.narrow(0, 0, 1)).dtype(), "addmv is lowered on CUDA");
                assertEquals(DType.FLOAT32, F.logSoftmax(logits, 1).dtype(), "log_softmax is on CUDA's fp32 list");
                assertEquals(DType.FLOAT32, F.crossEntropy(logits, target).dtype());
                // CPU tensors are not touched by a CUDA guard
                assertEquals(DType.FLOAT32, Tensor.randn(3, 4).matmul(Tensor.randn(4, 2)).dtype());
            }
            assertEquals(DType.FLOAT32, lin.forward(x).dtype());
        }
    }

    @Test
    void float16TrainingWithAGradScalerLearns() {
        Torch.manualSeed(0);
        try (SimpleNN m = new SimpleNN()) {
            m.to(GPU);
            try (SGD opt = new SGD(m.parameters(), SGDOptions.lr(0.1)); GradScaler scaler = new GradScaler();
                 TensorScope data = TensorScope.open()) {
                Tensor x = Tensor.rand(Shape.of(256, 784), DType.FLOAT32, GPU);
                Tensor y = Tensor.rand(Shape.of(256), DType.FLOAT32, GPU).mul(10).to(DType.INT64);
                double first = Double.NaN;
                double last = Double.NaN;
                int stepped = 0;
                for (int i = 0; i < 200; i++) {
                    try (TensorScope s = TensorScope.open()) {
                        Tensor loss;
                        try (Autocast a = Autocast.enter(GPU, DType.FLOAT16)) {
                            loss = F.crossEntropy(m.forward(x), y);
                        }
                        assertEquals(DType.FLOAT32, loss.dtype());
                        opt.zeroGrad();
                        scaler.scale(loss).backward();
                        stepped += scaler.step(opt) ? 1 : 0;
                        scaler.update();
                        last = loss.item();
                        if (i == 0) {
                            first = last;
                        }
                    }
                }
                assertTrue(stepped > 190, "steps taken " + stepped);
                assertTrue(last < 0.7 * first, "loss " + first + " -> " + last);
                assertTrue(Double.isFinite(scaler.scale()) && scaler.scale() >= 1, "scale " + scaler.scale());
                m.parameters().forEach(p -> assertEquals(DType.FLOAT32, p.dtype()));
            }
        }
    }

    @Test
    void infInACudaGradientSkipsTheStep() {
        Torch.manualSeed(1);
        try (TensorScope s = TensorScope.open(); Linear lin = new Linear(4, 3)) {
            lin.to(GPU);
            try (SGD opt = new SGD(lin.parameters(), SGDOptions.lr(0.1)); GradScaler scaler = new GradScaler()) {
                float[] xs = Tensor.randn(5, 4).toFloatArray();
                xs[3] = Float.POSITIVE_INFINITY;
                Tensor x = Tensor.of(xs, 5, 4).to(GPU);
                float[] before = lin.weight().toFloatArray();
                try (Autocast a = Autocast.enter(GPU, DType.FLOAT16)) {
                    scaler.scale(F.crossEntropy(lin.forward(x),
                            Tensor.of(new long[] {0, 1, 2, 1, 0}, 5).to(GPU))).backward();
                }
                assertFalse(scaler.step(opt));
                scaler.update();
                assertEquals(32768.0, scaler.scale());
                assertEquals(0, java.util.Arrays.compare(before, lin.weight().toFloatArray()));
            }
        }
    }

    @Test
    void bfloat16AutocastWhereTheGpuHasIt() {
        try (TensorScope s = TensorScope.open(); Linear lin = new Linear(16, 10)) {
            lin.to(GPU);
            Tensor x = Tensor.randn(Shape.of(8, 16), DType.FLOAT32, GPU);
            try (Autocast a = Autocast.enter(GPU, DType.BFLOAT16)) {
                assertEquals(DType.BFLOAT16, lin.forward(x).dtype());
            }
        }
    }
}
