package dev.jtorch.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jtorch.Torch;
import dev.jtorch.data.Batch;
import dev.jtorch.data.TensorDataset;
import dev.jtorch.data.TensorLoader;
import dev.jtorch.io.StateDicts;
import dev.jtorch.nn.Linear;
import dev.jtorch.nn.MSELoss;
import dev.jtorch.nn.Module;
import dev.jtorch.nn.functional.F;
import dev.jtorch.optim.SGD;
import dev.jtorch.optim.SGDOptions;
import dev.jtorch.optim.StepLR;
import dev.jtorch.tensor.Tensor;
import dev.jtorch.tensor.TensorScope;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The library training loop: a user-defined model on in-memory arrays, through callbacks. */
@org.junit.jupiter.api.extension.ExtendWith(dev.jtorch.NoLeaks.class)
class FitTest {
    @TempDir
    Path dir;
    /** The user's own model: nothing jtorch ships. */
    static final class TwoLayer extends Module {
        final Linear hidden = register("hidden", new Linear(2, 16));
        final Linear out = register("out", new Linear(16, 3));

        @Override
        public Tensor forward(Tensor x) {
            return out.forward(F.tanh(hidden.forward(x)));
        }
    }

    /** Three Gaussian blobs in the plane, one per class, from a seeded generator. */
    static TensorDataset blobs(int n, long seed) {
        Random r = new Random(seed);
        float[] x = new float[n * 2];
        long[] y = new long[n];
        double[][] centres = {{-2, 0}, {2, 0}, {0, 2.5}};
        for (int i = 0; i < n; i++) {
            int c = i % 3;
            y[i] = c;
            x[2 * i] = (float) (centres[c][0] + 0.6 * r.nextGaussian());
            x[2 * i + 1] = (float) (centres[c][1] + 0.6 * r.nextGaussian());
        }
        return TensorDataset.of(x, new long[] {2}, y);
    }

    /** A callback of the user's: records every event. */
    static final class Recorder implements Callback {
        final List<String> events = new ArrayList<>();
        double firstLoss = Double.NaN;

        @Override
        public void fitStart(Fit.State s) {
            events.add("fitStart " + s.epochs() + " x " + s.stepsPerEpoch());
        }

        @Override
        public void epochStart(Fit.State s) {
            events.add("epochStart " + s.epoch());
        }

        @Override
        public void batchEnd(Fit.State s, Batch b, Tensor loss) {
            if (Double.isNaN(firstLoss)) {
                firstLoss = loss.item();
            }
            events.add("batch " + s.epoch() + "." + s.step());
        }

        @Override
        public void epochEnd(Fit.State s, EpochMetrics m) {
            events.add("epochEnd " + m.epoch());
        }

        @Override
        public void fitEnd(Fit.State s, Fit.History h) {
            events.add("fitEnd " + h.epochs().size());
        }
    }

    /** Another callback of the user's: stops once the validation accuracy reaches a bar. */
    static final class StopAtAccuracy implements Callback {
        private final double bar;

        StopAtAccuracy(double bar) {
            this.bar = bar;
        }

        @Override
        public void epochEnd(Fit.State s, EpochMetrics m) {
            if (m.testAccuracy() >= bar) {
                s.requestStop("validation accuracy " + m.testAccuracy() + " >= " + bar);
            }
        }
    }

    @Test
    void trainsAUserModelOnArraysThroughTwoCustomCallbacks() {
        Torch.manualSeed(0);
        Recorder rec = new Recorder();
        try (TwoLayer model = new TwoLayer();
             SGD opt = new SGD(model.parameters(), SGDOptions.lr(0.1).withMomentum(0.9));
             TensorLoader train = TensorLoader.builder(blobs(300, 1)).batchSize(32).shuffle(true).seed(3).build();
             TensorLoader val = TensorLoader.builder(blobs(150, 2)).batchSize(64).build()) {
            Fit.History h = Fit.builder(model, opt).train(train).validation(val).epochs(30)
                    .callbacks(rec, new StopAtAccuracy(0.97)).run();
            assertTrue(h.stoppedEarly(), "the user's callback stopped the run: " + h);
            assertTrue(h.epochs().size() < 30);
            EpochMetrics last = h.last();
            assertTrue(last.testAccuracy() >= 0.97, "validation accuracy " + last.testAccuracy());
            assertTrue(last.trainLoss() < rec.firstLoss * 0.6, "loss fell from " + rec.firstLoss + " to " + last.trainLoss());
            assertEquals(10, train.numBatches());
            // the events in order: every step of every epoch between its start and end
            List<String> want = new ArrayList<>();
            want.add("fitStart 30 x 10");
            for (int e = 1; e <= h.epochs().size(); e++) {
                want.add("epochStart " + e);
                for (int s = 1; s <= 10; s++) {
                    want.add("batch " + e + "." + s);
                }
                want.add("epochEnd " + e);
            }
            want.add("fitEnd " + h.epochs().size());
            assertEquals(want, rec.events);
        }
    }

    @Test
    void aStepIsTheUsualLoopStep() {
        // one epoch through Fit equals the hand-written loop on a copy of the same model
        Torch.manualSeed(1);
        try (TwoLayer a = new TwoLayer(); TwoLayer b = new TwoLayer()) {
            b.loadStateDict(a.stateDict());
            try (SGD oa = new SGD(a.parameters(), SGDOptions.lr(0.05).withMomentum(0.9));
                 SGD ob = new SGD(b.parameters(), SGDOptions.lr(0.05).withMomentum(0.9));
                 TensorLoader la = TensorLoader.builder(blobs(90, 4)).batchSize(16).shuffle(true).seed(9).build();
                 TensorLoader lb = TensorLoader.builder(blobs(90, 4)).batchSize(16).shuffle(true).seed(9).build()) {
                Fit.History h = Fit.builder(a, oa).train(la).epochs(2).run();
                double[] sum = new double[1];
                for (int e = 0; e < 2; e++) {
                    sum[0] = 0;
                    lb.forEachBatch(e, batch -> {
                        ob.zeroGrad();
                        Tensor loss = F.crossEntropy(b.forward(batch.inputs()), batch.targets());
                        loss.backward();
                        ob.step();
                        sum[0] += loss.item() * batch.size();
                    });
                }
                assertEquals(sum[0] / 90, h.last().trainLoss(), 1e-12);
                Map<String, Tensor> sa = a.stateDict();
                Map<String, Tensor> sb = b.stateDict();
                for (String k : sa.keySet()) {
                    try (TensorScope s = TensorScope.open()) {
                        assertArrayEquals(sb.get(k).toFloatArray(), sa.get(k).toFloatArray(), k);
                    }
                }
            }
        }
    }

    @Test
    void earlyStoppingLogAndCheckpointCallbacks() throws Exception {
        Torch.manualSeed(2);
        Path log = dir.resolve("metrics.jsonl");
        Path best = dir.resolve("best.pt");
        EarlyStopping early = new EarlyStopping(EarlyStopping.Monitor.VALIDATION_LOSS, 2, 0.0);
        ModelCheckpoint ckpt = new ModelCheckpoint(best, EarlyStopping.Monitor.VALIDATION_ACCURACY);
        try (TwoLayer model = new TwoLayer();
             SGD opt = new SGD(model.parameters(), SGDOptions.lr(2.0));     // too high: the loss bounces
             TensorLoader train = TensorLoader.builder(blobs(120, 5)).batchSize(40).build();
             TensorLoader val = TensorLoader.builder(blobs(60, 6)).batchSize(60).build()) {
            StepLR schedule = new StepLR(opt, 1, 0.5);
            Fit.History h = Fit.builder(model, opt).train(train).validation(val).epochs(40).scheduler(schedule)
                    .callbacks(early, new MetricsLog(log), ckpt).run();
            List<String> lines = Files.readAllLines(log);
            assertEquals(h.epochs().size(), lines.size());
            ObjectMapper json = new ObjectMapper();
            for (int i = 0; i < lines.size(); i++) {
                JsonNode n = json.readTree(lines.get(i));
                assertEquals(i + 1, n.get("epoch").asInt());
                assertEquals(h.epochs().get(i).testLoss(), n.get("test_loss").asDouble(), 0.0);
                assertEquals(2.0 * Math.pow(0.5, i), n.get("lr").asDouble(), 1e-12, "the schedule stepped per epoch");
            }
            if (h.stoppedEarly()) {
                assertTrue(h.stopReason().contains("VALIDATION_LOSS"), h.stopReason());
            }
            assertTrue(ckpt.savedEpoch() >= 1);
            try (TensorScope s = TensorScope.open()) {
                Map<String, Tensor> saved = StateDicts.load(best);
                assertEquals(List.of("hidden.weight", "hidden.bias", "out.weight", "out.bias"), List.copyOf(saved.keySet()));
            }
        }
    }

    @Test
    void anyLossAndFloatTargets() {
        // regression: y = 3 x0 - 2 x1 + 1 with MSELoss; accuracy is not defined (NaN)
        Random r = new Random(7);
        float[] x = new float[400];
        float[] y = new float[200];
        for (int i = 0; i < 200; i++) {
            x[2 * i] = (float) r.nextGaussian();
            x[2 * i + 1] = (float) r.nextGaussian();
            y[i] = 3 * x[2 * i] - 2 * x[2 * i + 1] + 1;
        }
        Torch.manualSeed(3);
        try (Linear model = new Linear(2, 1); MSELoss mse = new MSELoss();
             SGD opt = new SGD(model.parameters(), 0.1);
             TensorLoader train = TensorLoader.builder(TensorDataset.ofRegression(x, new long[] {2}, y, new long[] {1}))
                     .batchSize(20).shuffle(true).build()) {
            Fit.History h = Fit.builder(model, opt).train(train).epochs(20).loss(mse).run();
            assertTrue(h.last().trainLoss() < 1e-4, "MSE " + h.last().trainLoss());
            assertTrue(Double.isNaN(h.last().trainAccuracy()));
            assertFalse(h.stoppedEarly());
            try (TensorScope s = TensorScope.open()) {
                assertArrayEquals(new float[] {3, -2}, model.weight().toFloatArray(), 1e-2f);
            }
        }
    }

    @Test
    void divergenceAndMisuseAreReported() {
        Torch.manualSeed(4);
        try (TwoLayer model = new TwoLayer(); SGD opt = new SGD(model.parameters(), 0.1);
             TensorLoader train = TensorLoader.builder(blobs(30, 8)).batchSize(10).build()) {
            assertThrows(IllegalStateException.class, () -> Fit.builder(model, opt).run());
            assertThrows(IllegalStateException.class, () -> Fit.builder(model, opt).train(train).epochs(2).firstEpoch(3).run());
            EarlyStopping needsValidation = new EarlyStopping(EarlyStopping.Monitor.VALIDATION_LOSS, 1, 0);
            IllegalStateException ise = assertThrows(IllegalStateException.class,
                    () -> Fit.builder(model, opt).train(train).callbacks(needsValidation).run());
            assertTrue(ise.getMessage().contains("VALIDATION_LOSS"), ise.getMessage());
            TrainingDivergedException e = assertThrows(TrainingDivergedException.class, () -> Fit.builder(model, opt)
                    .train(train).objective((out, b) -> out.sum().mul(Double.NaN)).run());
            assertTrue(e.getMessage().contains("training loss"), e.getMessage());
        }
    }
}
