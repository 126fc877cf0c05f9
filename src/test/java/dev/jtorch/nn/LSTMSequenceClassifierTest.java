package dev.jtorch.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jtorch.Fixtures;
import dev.jtorch.NoLeaks;
import dev.jtorch.io.StateDicts;
import dev.jtorch.nn.functional.F;
import dev.jtorch.optim.SGD;
import dev.jtorch.optim.SGDOptions;
import dev.jtorch.tensor.Tensor;
import dev.jtorch.tensor.TensorScope;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A PyTorch sequence classifier ported line by line: {@code [B, T, F]} -> 2-layer batch-first
 * LSTM -> Linear on the last step -> cross-entropy, trained 20 SGD steps (lr 0.1, momentum 0.9).
 * The initial weights are Python's {@code torch.save(model.state_dict())} ({@code lstm_seq_init.pt},
 * read by {@link StateDicts}); every step's loss and the final weights must match PyTorch's
 * ({@code lstm_seq.json}; both written by {@code scripts/fixtures_lstm.py}).
 *
 * <pre>
 * class SeqClassifier(nn.Module):
 *     def __init__(self, f, h, c):
 *         super().__init__()
 *         self.lstm = nn.LSTM(f, h, num_layers=2, batch_first=True)
 *         self.fc = nn.Linear(h, c)
 *     def forward(self, x):
 *         out, _ = self.lstm(x)
 *         return self.fc(out[:, -1])
 * </pre>
 */
@ExtendWith(NoLeaks.class)
class LSTMSequenceClassifierTest {
    private static final JsonNode FIX = Fixtures.load("lstm_seq.json");
    private static final double TOL = 1e-4;

    /** The Java port of SeqClassifier. */
    static final class SeqClassifier extends Module {
        private final LSTM lstm;
        private final Linear fc;

        SeqClassifier(long f, long h, long c) {
            lstm = register("lstm", new LSTM(RNNOptions.of(f, h).withNumLayers(2).withBatchFirst(true)));
            fc = register("fc", new Linear(h, c));
        }

        @Override
        public Tensor forward(Tensor x) {
            Tensor out = lstm.forward(x);
            return fc.forward(out.select(1, -1));
        }
    }

    @TempDir
    Path dir;

    private Path initFile() throws IOException {
        Path target = dir.resolve("lstm_seq_init.pt");
        try (InputStream in = getClass().getResourceAsStream("/fixtures/lstm_seq_init.pt")) {
            if (in == null) {
                throw new IOException("missing test resource fixtures/lstm_seq_init.pt (run scripts/fixtures_lstm.py)");
            }
            Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
        }
        return target;
    }

    @Test
    void twentySgdStepsMatchPyTorch() throws IOException {
        int steps = FIX.get("steps").asInt();
        assertEquals(20, steps);
        try (SeqClassifier model = new SeqClassifier(FIX.get("F").asLong(), FIX.get("H").asLong(), FIX.get("C").asLong());
             SGD opt = new SGD(model.parameters(),
                     SGDOptions.lr(FIX.get("lr").asDouble()).withMomentum(FIX.get("momentum").asDouble()));
             TensorScope s = TensorScope.open()) {
            Map<String, Tensor> init = StateDicts.load(initFile());
            assertEquals(new ArrayList<>(model.stateDict().keySet()), new ArrayList<>(init.keySet()),
                    "PyTorch's state-dict keys, in order");
            LoadResult r = model.loadStateDict(init);
            assertTrue(r.missingKeys().isEmpty() && r.unexpectedKeys().isEmpty(), r.toString());

            Tensor x = Fixtures.tensor(FIX.get("input"));
            Tensor y = Fixtures.tensor(FIX.get("target"));
            List<Double> losses = new ArrayList<>();
            for (int i = 0; i < steps; i++) {
                try (TensorScope step = TensorScope.open()) {
                    opt.zeroGrad();
                    Tensor loss = F.crossEntropy(model.forward(x), y);
                    loss.backward();
                    opt.step();
                    losses.add(loss.item());
                }
            }
            JsonNode want = FIX.get("losses");
            for (int i = 0; i < steps; i++) {
                assertEquals(want.get(i).asDouble(), losses.get(i), TOL, "loss of step " + (i + 1));
            }
            assertTrue(losses.get(steps - 1) < losses.get(0), "training lowers the loss: " + losses);
            JsonNode fin = FIX.get("final");
            Map<String, Tensor> sd = model.stateDict();
            assertEquals(fin.size(), sd.size());
            for (Map.Entry<String, Tensor> e : sd.entrySet()) {
                try {
                    Fixtures.assertClose(fin.get(e.getKey()), e.getValue(), TOL, TOL);
                } catch (AssertionError err) {
                    throw new AssertionError("final " + e.getKey() + ": " + err.getMessage(), err);
                }
            }
        }
    }
}
