package dev.jtorch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jtorch.autograd.NoGrad;
import dev.jtorch.nn.Linear;
import dev.jtorch.nn.Module;
import dev.jtorch.nn.ReLU;
import dev.jtorch.nn.Sequential;
import dev.jtorch.nn.functional.F;
import dev.jtorch.nn.functional.Reduction;
import dev.jtorch.optim.Adam;
import dev.jtorch.optim.Optimizer;
import dev.jtorch.optim.SGD;
import dev.jtorch.optim.SGDOptions;
import dev.jtorch.tensor.Shape;
import dev.jtorch.tensor.Tensor;
import dev.jtorch.tensor.TensorScope;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** End to end: a toy classification problem trained with SGD and Adam, softmax, and error reporting. */
class TrainingTest {
    private static final int N = 200;
    private static final int MAX_STEPS = 100;

    private long liveBefore;
    private TensorScope scope;
    private Tensor x;
    private Tensor y;

    @BeforeEach
    void makeBlobs() {
        Torch.init();
        liveBefore = Torch.liveHandles();
        scope = TensorScope.open();
        // two Gaussian blobs in 2-D, 100 points each, sd 0.5 around (-2, -2) and (2, 2); fixed seed
        Random r = new Random(20240607L);
        float[] pts = new float[2 * N];
        long[] labels = new long[N];
        for (int i = 0; i < N; i++) {
            int c = i % 2;
            float centre = c == 0 ? -2f : 2f;
            pts[2 * i] = centre + 0.5f * (float) r.nextGaussian();
            pts[2 * i + 1] = centre + 0.5f * (float) r.nextGaussian();
            labels[i] = c;
        }
        x = Tensor.of(pts, N, 2);
        y = Tensor.of(labels, N);
    }

    @AfterEach
    void closeScopeAndCheckLeaks() {
        if (!scope.isClosed()) {
            scope.close();
        }
        assertFalse(TensorScope.isOpen(), "a test left a scope open");
        assertEquals(liveBefore, Torch.liveHandles(), "native handles leaked by this test");
    }

    private static Sequential mlp() {
        return Sequential.of(new Linear(2, 16), new ReLU(), new Linear(16, 2));
    }

    /** Full-batch training; returns the loss after each step (the last one after the last step). */
    private double[] train(Module model, Optimizer opt, int steps, double stopBelow) {
        double[] losses = new double[steps];
        int done = 0;
        for (int step = 0; step < steps; step++) {
            try (TensorScope s = TensorScope.open()) {
                opt.zeroGrad();
                Tensor loss = F.crossEntropy(model.forward(x), y);
                loss.backward();
                opt.step();
                losses[step] = loss.item();
                done = step + 1;
            }
            if (losses[step] < stopBelow) {
                break;
            }
        }
        double[] out = java.util.Arrays.copyOf(losses, done);
        try (TensorScope s = TensorScope.open()) {
            out[done - 1] = F.crossEntropy(model.forward(x), y).item(); // loss after the final step
        }
        return out;
    }

    private double accuracy(Module model) {
        try (TensorScope s = TensorScope.open(); NoGrad g = NoGrad.enter()) {
            return model.forward(x).argmax(1).eq(y).to(DType.FLOAT32).mean().item();
        }
    }

    @Test
    void sgdWithMomentumLearnsTwoBlobs() {
        Torch.manualSeed(1);
        try (Sequential model = mlp(); SGD sgd = new SGD(model.parameters(), SGDOptions.lr(0.05).withMomentum(0.9))) {
            double[] losses = train(model, sgd, MAX_STEPS, 0.05);
            double last = losses[losses.length - 1];
            assertTrue(last < 0.05, "SGD loss after " + losses.length + " steps: " + last);
            assertTrue(losses[0] > 0.1, "the problem must not be solved at initialisation: " + losses[0]);
            assertEquals(1.0, accuracy(model), 0.0);
            assertEquals(0.9, sgd.options().momentum(), 0.0);
            assertEquals(0.05, sgd.lr(), 0.0);
        }
    }

    @Test
    void adamLearnsTwoBlobs() {
        Torch.manualSeed(1);
        try (Sequential model = mlp(); Adam adam = new Adam(model.parameters(), 0.01)) {
            double[] losses = train(model, adam, MAX_STEPS, 0.05);
            double last = losses[losses.length - 1];
            assertTrue(last < 0.05, "Adam loss after " + losses.length + " steps: " + last);
            assertTrue(losses[0] > 0.1, "initial loss " + losses[0]);
            assertEquals(1.0, accuracy(model), 0.0);
        }
    }

    @Test
    void trainingIsReproducibleWithTheSameSeed() {
        double[] a;
        double[] b;
        Torch.manualSeed(5);
        try (Sequential model = mlp(); SGD sgd = new SGD(model.parameters(), SGDOptions.lr(0.05).withMomentum(0.9))) {
            a = train(model, sgd, 20, -1);
        }
        Torch.manualSeed(5);
        try (Sequential model = mlp(); SGD sgd = new SGD(model.parameters(), SGDOptions.lr(0.05).withMomentum(0.9))) {
            b = train(model, sgd, 20, -1);
        }
        assertArrayEquals(a, b, 1e-6);
    }

    @Test
    void softmaxRowsSumToOne() {
        Torch.manualSeed(3);
        try (Sequential model = mlp()) {
            Tensor p = F.softmax(model.forward(x), 1);
            assertEquals(Shape.of(N, 2), p.shape());
            float[] sums = p.sum(1, false).toFloatArray();
            for (float s : sums) {
                assertEquals(1f, s, 1e-5f);
            }
            assertTrue(p.min().item() >= 0);
            assertTrue(p.max().item() <= 1);
        }
        Tensor extreme = Tensor.of(new float[] {1000, -1000, 0, Float.NEGATIVE_INFINITY, 0, 0}, 2, 3);
        float[] q = F.softmax(extreme, 1).toFloatArray();
        assertArrayEquals(new float[] {1, 0, 0, 0, 0.5f, 0.5f}, q, 1e-6f, "stable for +-1000; -inf gets probability 0");
        Tensor logits = Tensor.randn(4, 5);
        assertArrayEquals(F.softmax(logits, 1).log().toFloatArray(), F.logSoftmax(logits, 1).toFloatArray(), 1e-5f);
        float[] cols = F.softmax(logits, 0).sum(0, false).toFloatArray();
        assertArrayEquals(new float[] {1, 1, 1, 1, 1}, cols, 1e-5f);
    }

    @Test
    void crossEntropyMatchesHandComputationAndReductions() {
        Tensor logits = Tensor.of(new float[] {2, 0, 0, 1, 3, 1}, 2, 3);
        Tensor target = Tensor.of(new long[] {0, 2}, 2);
        // row 0: -log(e^2 / (e^2 + 2)); row 1: -log(e^1 / (e^1 + e^3 + e^1))
        double l0 = -Math.log(Math.exp(2) / (Math.exp(2) + 2));
        double l1 = -Math.log(Math.exp(1) / (2 * Math.exp(1) + Math.exp(3)));
        Tensor none = F.crossEntropy(logits, target, Reduction.NONE);
        assertEquals(Shape.of(2), none.shape());
        assertArrayEquals(new float[] {(float) l0, (float) l1}, none.toFloatArray(), 1e-5f);
        assertEquals((l0 + l1) / 2, F.crossEntropy(logits, target).item(), 1e-5);
        assertEquals(l0 + l1, F.crossEntropy(logits, target, Reduction.SUM).item(), 1e-5);
    }

    /**
     * A model whose forward ends in softmax, fed to crossEntropy, applies softmax twice:
     * crossEntropy already does log-softmax on its input. The probabilities it receives lie in
     * [0, 1], so the "logits" it sees differ by at most 1 and the loss can never fall below
     * -log(e / (e + 1)) = 0.313 for two classes; the gradients are also squashed by the extra
     * softmax's Jacobian. The logits model trained the same way gets far lower.
     */
    @Test
    void softmaxBeforeCrossEntropyTrainsWorse() {
        int steps = 150;
        Torch.manualSeed(11);
        double logitsLoss;
        try (Sequential model = mlp(); Adam adam = new Adam(model.parameters(), 0.01)) {
            double[] l = train(model, adam, steps, -1);
            assertEquals(steps, l.length);
            logitsLoss = l[steps - 1];
        }
        Torch.manualSeed(11);
        double doubleSoftmaxLoss;
        try (Sequential model = mlp().add(t -> F.softmax(t, 1)); Adam adam = new Adam(model.parameters(), 0.01)) {
            double[] l = train(model, adam, steps, -1);
            doubleSoftmaxLoss = l[steps - 1];
            // even the double-softmax model may classify the blobs correctly: the loss is what suffers
            assertTrue(accuracy(model) > 0.9);
        }
        assertTrue(doubleSoftmaxLoss > 0.3, "double softmax cannot go below 0.313: " + doubleSoftmaxLoss);
        assertTrue(doubleSoftmaxLoss > 5 * logitsLoss,
                "double softmax " + doubleSoftmaxLoss + " vs logits " + logitsLoss);
    }

    @Test
    void gradientsFlowOnlyWhenEnabled() {
        try (Sequential model = mlp()) {
            try (NoGrad g = NoGrad.enter()) {
                assertFalse(NoGrad.isGradEnabled());
                assertFalse(model.forward(x).requiresGrad());
            }
            assertTrue(NoGrad.isGradEnabled());
            Tensor out = model.forward(x);
            assertTrue(out.requiresGrad());
            F.crossEntropy(out, y).backward();
            for (Tensor p : model.parameters()) {
                assertNotNull(p.grad(), "every parameter gets a gradient");
                assertEquals(p.shape(), p.grad().shape());
            }
        }
    }

    // ============================================================ errors

    @Test
    void torchExceptionHasOpAndShapesButNoBacktrace() {
        Tensor a = Tensor.ones(2, 3);
        Tensor b = Tensor.ones(4, 5);
        TorchException e = assertThrows(TorchException.class, () -> a.matmul(b));
        String m = e.getMessage();
        assertTrue(m.contains("matmul"), m);
        assertTrue(m.contains("[2, 3]") && m.contains("[4, 5]"), m);
        assertFalse(m.contains("Exception raised from"), m);
        assertFalse(m.contains("frame #"), m);
        assertFalse(m.contains("\n"), "one line: " + m);
        assertNotNull(e.nativeMessage());
        assertTrue(m.endsWith(e.nativeMessage()), m + " / " + e.nativeMessage());
        String detail = e.detail();
        assertNotNull(detail);
        assertTrue(detail.contains(e.nativeMessage()), detail);
        assertTrue(detail.length() > e.nativeMessage().length(), "detail keeps libtorch's full text");
        assertTrue(detail.contains("Exception raised from") || detail.contains("frame #"),
                "detail should keep the C++ origin/backtrace: " + detail);
    }

    @Test
    void crossEntropyErrorsNameBothShapes() {
        Tensor logits = Tensor.zeros(4, 2);
        TorchException e = assertThrows(TorchException.class,
                () -> F.crossEntropy(logits, Tensor.of(new long[] {0, 1, 0}, 3)));
        assertTrue(e.getMessage().contains("crossEntropy"), e.getMessage());
        assertTrue(e.getMessage().contains("[4, 2]") && e.getMessage().contains("[3]"), e.getMessage());
        TorchException range = assertThrows(TorchException.class,
                () -> F.crossEntropy(logits, Tensor.of(new long[] {0, 1, 5, 0}, 4)));
        assertTrue(range.getMessage().contains("crossEntropy"), range.getMessage());
        assertFalse(range.getMessage().contains("frame #"), range.getMessage());
    }

    @Test
    void libraryKeepsWorkingAfterErrors() {
        int sizeBefore = scope.size();
        long live = Torch.liveHandles();
        for (int i = 0; i < 50; i++) {
            assertThrows(TorchException.class, () -> Tensor.ones(2, 3).matmul(Tensor.ones(2, 3)));
            assertThrows(TorchException.class, () -> Tensor.ones(3).view(2, 2));
            assertThrows(TorchException.class, () -> Tensor.ones(3).add(Tensor.ones(4)));
        }
        // only the successfully made operands are in the scope: 2 + 1 + 2 per round
        assertEquals(sizeBefore + 50 * 5, scope.size());
        assertEquals(live + 50 * 5, Torch.liveHandles(), "failed ops must not leave native handles");
        Tensor ok = Tensor.ones(2, 3).matmul(Tensor.ones(3, 2));
        assertArrayEquals(new float[] {3, 3, 3, 3}, ok.toFloatArray());
        try (Sequential model = mlp()) {
            assertThrows(TorchException.class, () -> model.forward(Tensor.ones(5, 3)));
            assertEquals(Shape.of(5, 2), model.forward(Tensor.ones(5, 2)).shape());
        }
    }

    @Test
    void optimizerRejectsBadSettings() {
        try (Sequential model = mlp()) {
            assertThrows(IllegalArgumentException.class, () -> SGDOptions.lr(-1));
            assertThrows(IllegalArgumentException.class, () -> SGDOptions.lr(0.1).withMomentum(-0.5));
            assertThrows(IllegalArgumentException.class, () -> new SGD(java.util.List.of(), 0.1));
            assertThrows(IllegalArgumentException.class,
                    () -> new SGD(java.util.List.of(Tensor.ones(2).requiresGrad(true).mul(2.0)), 0.1),
                    "a tensor computed from others is not a parameter");
            try (SGD sgd = new SGD(model.parameters(), 0.1)) {
                sgd.lr(0.01);
                assertEquals(0.01, sgd.lr(), 0.0);
                assertThrows(IllegalArgumentException.class, () -> sgd.lr(Double.NaN));
            }
        }
    }

    @Test
    void predictionsHelperMatchesManualArgmax() {
        Function<Tensor, long[]> predict = t -> F.softmax(t, 1).argmax(1).toLongArray();
        Tensor logits = Tensor.of(new float[] {0.1f, 2f, 3f, -1f, 0f, 0f}, 3, 2);
        long[] p = predict.apply(logits);
        assertArrayEquals(new long[] {1, 0, 0}, p, "ties pick the first index");
    }
}
