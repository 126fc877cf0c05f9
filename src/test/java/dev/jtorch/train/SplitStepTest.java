package dev.jtorch.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jtorch.DType;
import dev.jtorch.Device;
import dev.jtorch.NoLeaks;
import dev.jtorch.Torch;
import dev.jtorch.TorchException;
import dev.jtorch.autograd.NoGrad;
import dev.jtorch.data.Batch;
import dev.jtorch.models.MnistCnn;
import dev.jtorch.models.SimpleNN;
import dev.jtorch.nn.Module;
import dev.jtorch.nn.functional.F;
import dev.jtorch.tensor.Shape;
import dev.jtorch.tensor.Tensor;
import dev.jtorch.tensor.TensorScope;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@link SplitStep} against one whole-batch backward: same loss, count and gradients. */
@ExtendWith(NoLeaks.class)
class SplitStepTest {
    private static final Precision F32 = new Precision(Device.CPU, null);

    private static Batch batch(int n, boolean cnn, long seed) {
        Torch.manualSeed(seed);
        Tensor x = cnn ? Tensor.rand(n, 1, 28, 28) : Tensor.rand(n, 784);
        Tensor y = Tensor.rand(Shape.of(n), DType.FLOAT32, Device.CPU).mul(10).clampMax(9.999).to(DType.INT64);
        return new Batch(x, y, n);
    }

    private static Module model(boolean cnn) {
        Torch.manualSeed(7);
        return cnn ? new MnistCnn() : new SimpleNN();
    }

    /** Copies of every parameter's gradient, flattened. */
    private static List<float[]> grads(Module m) {
        List<float[]> g = new ArrayList<>();
        for (Tensor p : m.parameters()) {
            g.add(p.grad().toFloatArray());
        }
        return g;
    }

    @ParameterizedTest(name = "{0} samples in {1} parts, cnn={2}")
    @CsvSource({"64, 2, true", "37, 2, true", "37, 3, false", "64, 2, false", "1, 2, false", "2, 4, true"})
    void equalsOneWholeBatchBackward(int n, int parts, boolean cnn) {
        try (Module m = model(cnn); SplitStep split = new SplitStep(m, parts); TensorScope s = TensorScope.open()) {
            Batch b = batch(n, cnn, n);
            Tensor logits = m.forward(b.images());
            Tensor loss = F.crossEntropy(logits, b.labels());
            loss.backward();
            long correct = logits.argmax(1).eq(b.labels()).sum().itemLong();
            List<float[]> whole = grads(m);

            m.zeroGrad();
            SplitStep.Outcome o = split.run(b, F32);
            assertEquals(loss.item(), o.loss().item(), 1e-6);
            assertEquals(correct, o.correct().itemLong());
            assertFalse(o.loss().requiresGrad(), "the loss comes back detached");
            List<float[]> parted = grads(m);
            for (int i = 0; i < whole.size(); i++) {
                assertArrayEquals(whole.get(i), parted.get(i), 2e-6f, "gradient of parameter " + i);
            }
        }
    }

    @Test
    void addsToExistingGradientsAndIsReproducible() {
        try (Module m = model(true); SplitStep split = new SplitStep(m, 2); TensorScope s = TensorScope.open()) {
            Batch b = batch(40, true, 1);
            split.run(b, F32);
            List<float[]> once = grads(m);
            split.run(b, F32);
            List<float[]> twice = grads(m);
            m.zeroGrad();
            split.run(b, F32);
            List<float[]> again = grads(m);
            for (int i = 0; i < once.size(); i++) {
                assertArrayEquals(once.get(i), again.get(i), 0f, "same parts, same bits: parameter " + i);
                float[] doubled = once.get(i).clone();
                for (int j = 0; j < doubled.length; j++) {
                    doubled[j] *= 2;
                }
                assertArrayEquals(doubled, twice.get(i), 1e-6f, "accumulates like backward(): parameter " + i);
            }
        }
    }

    @ParameterizedTest(name = "bad label at sample {0}")
    @CsvSource({"0", "39"})
    void aFailingPartThrowsOnceAllPartsAreDoneAndTheStepStillWorksAfter(int bad) {
        try (Module m = model(true); SplitStep split = new SplitStep(m, 2); TensorScope s = TensorScope.open()) {
            Batch good = batch(40, true, 3);
            long[] labels = good.labels().toLongArray();
            labels[bad] = 10; // sample 0 is in the caller's part, 39 in the helper's
            Batch broken = new Batch(good.images(), Tensor.of(labels, 40), 40);
            TorchException e = assertThrows(TorchException.class, () -> split.run(broken, F32));
            assertTrue(e.getMessage().contains("10"), e.getMessage());
            m.zeroGrad();
            SplitStep.Outcome o = split.run(good, F32);
            assertTrue(Double.isFinite(o.loss().item()));
        }
    }

    @ParameterizedTest(name = "{0} samples in {1} parts")
    @CsvSource({"64, 2", "37, 3", "1, 2"})
    void forwardEqualsTheWholeBatchsWithAndWithoutGrad(int n, int parts) {
        try (Module m = model(true); SplitStep split = new SplitStep(m, parts); TensorScope s = TensorScope.open()) {
            Tensor x = batch(n, true, 11).images();
            Tensor reference = m.forward(x);
            float[] whole = reference.toFloatArray();
            reference.exp().sum().backward();
            List<float[]> wholeGrads = grads(m);
            m.zeroGrad();
            Tensor parted = split.forward(x, F32);
            assertArrayEquals(new long[] {n, 10}, parted.shape().toArray());
            assertArrayEquals(whole, parted.toFloatArray(), 1e-6f);
            parted.exp().sum().backward(); // through every part's graph, the helpers' included
            List<float[]> partedGrads = grads(m);
            for (int i = 0; i < wholeGrads.size(); i++) {
                assertArrayEquals(wholeGrads.get(i), partedGrads.get(i), 1e-4f, "gradient of parameter " + i);
            }
            try (NoGrad g = NoGrad.enter()) {
                Tensor evaluated = split.forward(x, F32);
                assertFalse(evaluated.requiresGrad());
                assertArrayEquals(whole, evaluated.toFloatArray(), 1e-6f);
            }
        }
    }

    @Test
    void needsTwoParts() {
        try (Module m = model(false)) {
            assertThrows(IllegalArgumentException.class, () -> new SplitStep(m, 1));
        }
    }
}
