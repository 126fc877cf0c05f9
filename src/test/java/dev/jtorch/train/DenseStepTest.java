package dev.jtorch.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.jtorch.DType;
import dev.jtorch.Device;
import dev.jtorch.NoLeaks;
import dev.jtorch.Torch;
import dev.jtorch.data.Batch;
import dev.jtorch.internal.NativeDenseStep;
import dev.jtorch.models.MnistCnn;
import dev.jtorch.models.SimpleNN;
import dev.jtorch.nn.Linear;
import dev.jtorch.nn.Module;
import dev.jtorch.nn.ReLU;
import dev.jtorch.nn.Sequential;
import dev.jtorch.nn.Tanh;
import dev.jtorch.nn.functional.F;
import dev.jtorch.optim.SGD;
import dev.jtorch.optim.SGDOptions;
import dev.jtorch.tensor.Shape;
import dev.jtorch.tensor.Tensor;
import dev.jtorch.tensor.TensorScope;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@link DenseStep} against autograd's step: same loss, count, gradients and, after SGD, parameters. */
@ExtendWith(NoLeaks.class)
class DenseStepTest {
    private static Batch batch(int n, int features, int classes, long seed) {
        Torch.manualSeed(seed);
        Tensor x = Tensor.randn(n, features);
        Tensor y = Tensor.rand(Shape.of(n), DType.FLOAT32, Device.CPU).mul(classes).clampMax(classes - 0.001)
                .to(DType.INT64);
        return new Batch(x, y, n);
    }

    private static Module model(boolean deep) {
        Torch.manualSeed(7);
        return deep ? Sequential.of(new Linear(784, 64), new ReLU(), new Linear(64, 32, false), new ReLU(),
                new Linear(32, 10)) : new SimpleNN();
    }

    private static List<float[]> grads(Module m) {
        List<float[]> g = new ArrayList<>();
        for (Tensor p : m.parameters()) {
            g.add(p.grad().toFloatArray());
        }
        return g;
    }

    @ParameterizedTest(name = "{0} samples, deep={1}")
    @CsvSource({"64, false", "512, false", "1, false", "37, true", "64, true"})
    void equalsAutogradsStep(int n, boolean deep) {
        try (Module m = model(deep); DenseStep dense = DenseStep.forModel(m); TensorScope s = TensorScope.open()) {
            assertNotNull(dense);
            Batch b = batch(n, 784, 10, n);
            Tensor logits = m.forward(b.images());
            Tensor loss = F.crossEntropy(logits, b.labels());
            loss.backward();
            long correct = logits.argmax(1).eq(b.labels()).sum().itemLong();
            List<float[]> ref = grads(m);

            m.zeroGrad(); // set to none: the dense step makes its own buffers
            NativeDenseStep.Outcome o = dense.run(b);
            assertEquals(loss.item(), o.meanLoss(), 2e-6 * Math.max(1, Math.abs(loss.item())));
            assertEquals(correct, o.correct());
            List<float[]> got = grads(m);
            for (int i = 0; i < ref.size(); i++) {
                assertArrayEquals(ref.get(i), got.get(i), 2e-6f, "gradient of parameter " + i);
            }
            // a second run overwrites (does not accumulate into) the buffers it made
            dense.run(b);
            List<float[]> again = grads(m);
            for (int i = 0; i < ref.size(); i++) {
                assertArrayEquals(got.get(i), again.get(i), 0f, "gradient of parameter " + i + ", second run");
            }
        }
    }

    @Test
    void trainsLikeAutogradWithSgdMomentum() {
        float[][] after = new float[2][];
        for (int k = 0; k < 2; k++) {
            try (Module m = model(false); TensorScope s = TensorScope.open();
                 DenseStep dense = k == 0 ? null : DenseStep.forModel(m);
                 SGD opt = new SGD(m.parameters(), SGDOptions.lr(0.05).withMomentum(0.9))) {
                for (int step = 0; step < 20; step++) {
                    try (TensorScope st = TensorScope.open()) {
                        Batch b = batch(64, 784, 10, 100 + step);
                        if (dense == null) {
                            opt.zeroGrad();
                            F.crossEntropy(m.forward(b.images()), b.labels()).backward();
                        } else {
                            dense.run(b);
                        }
                        opt.step();
                    }
                }
                List<Float> all = new ArrayList<>();
                for (Tensor p : m.parameters()) {
                    for (float v : p.toFloatArray()) {
                        all.add(v);
                    }
                }
                after[k] = new float[all.size()];
                for (int i = 0; i < all.size(); i++) {
                    after[k][i] = all.get(i);
                }
            }
        }
        assertArrayEquals(after[0], after[1], 1e-5f);
    }

    @Test
    void recognisesOnlyDenseReluChains() {
        try (Module cnn = new MnistCnn();
             Module tanh = Sequential.of(new Linear(4, 3), new Tanh(), new Linear(3, 2));
             Module even = Sequential.of(new Linear(4, 3), new ReLU());
             Module frozen = new SimpleNN()) {
            assertNull(DenseStep.forModel(cnn));
            assertNull(DenseStep.forModel(tanh));
            assertNull(DenseStep.forModel(even));
            frozen.requiresGrad(false);
            assertNull(DenseStep.forModel(frozen));
        }
    }

    @Test
    void rejectsAnOutOfRangeTarget() {
        try (Module m = model(false); DenseStep dense = DenseStep.forModel(m); TensorScope s = TensorScope.open()) {
            Batch b = new Batch(Tensor.randn(2, 784), Tensor.of(new long[] {3, 10}, 2), 2);
            assertThrows(IllegalArgumentException.class, () -> dense.run(b));
        }
    }
}
