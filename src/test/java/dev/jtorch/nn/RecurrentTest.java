package dev.jtorch.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jtorch.DType;
import dev.jtorch.NoLeaks;
import dev.jtorch.tensor.Tensor;
import dev.jtorch.tensor.TensorScope;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Construction, parameter layout, initialisation, dropout and bad-input behaviour of the recurrent layers. */
@ExtendWith(NoLeaks.class)
class RecurrentTest {

    @Test
    void parametersAreNamedOrderedAndShapedAsPyTorch() {
        try (LSTM lstm = new LSTM(RNNOptions.of(3, 6).withNumLayers(2).withBidirectional(true).withProjSize(4))) {
            List<String> keys = new ArrayList<>(lstm.stateDict().keySet());
            List<String> want = new ArrayList<>();
            for (String l : List.of("_l0", "_l0_reverse", "_l1", "_l1_reverse")) {
                for (String p : List.of("weight_ih", "weight_hh", "bias_ih", "bias_hh", "weight_hr")) {
                    want.add(p + l);
                }
            }
            assertEquals(want, keys);
            Map<String, Tensor> sd = lstm.stateDict();
            assertArrayEquals(new long[] {24, 3}, sd.get("weight_ih_l0").shape().toArray());
            assertArrayEquals(new long[] {24, 4}, sd.get("weight_hh_l0").shape().toArray());
            assertArrayEquals(new long[] {24, 8}, sd.get("weight_ih_l1_reverse").shape().toArray());
            assertArrayEquals(new long[] {4, 6}, sd.get("weight_hr_l1").shape().toArray());
            assertEquals(List.copyOf(sd.values()), lstm.flatWeights());
        }
        try (GRU gru = new GRU(RNNOptions.of(3, 5).withBias(false).withNumLayers(2))) {
            assertEquals(List.of("weight_ih_l0", "weight_hh_l0", "weight_ih_l1", "weight_hh_l1"),
                    new ArrayList<>(gru.stateDict().keySet()));
            assertArrayEquals(new long[] {15, 5}, gru.stateDict().get("weight_ih_l1").shape().toArray());
        }
        try (RNNCell cell = new RNNCell(3, 5)) {
            assertEquals(List.of("weight_ih", "weight_hh", "bias_ih", "bias_hh"), new ArrayList<>(cell.stateDict().keySet()));
        }
    }

    @Test
    void initialisationIsUniformWithinOneOverSqrtHidden() {
        double k = 1 / Math.sqrt(16);
        try (LSTM lstm = new LSTM(8, 16, 2); LSTMCell cell = new LSTMCell(8, 16)) {
            List<Tensor> all = new ArrayList<>(lstm.parameters());
            all.addAll(cell.parameters());
            double min = Double.MAX_VALUE;
            double max = -Double.MAX_VALUE;
            for (Tensor p : all) {
                assertTrue(p.requiresGrad());
                for (float v : p.toFloatArray()) {
                    min = Math.min(min, v);
                    max = Math.max(max, v);
                }
            }
            assertTrue(min >= -k && max <= k, "in [-k, k]: " + min + ".." + max);
            assertTrue(min < -0.9 * k && max > 0.9 * k, "spread over [-k, k]: " + min + ".." + max);
        }
    }

    @Test
    void shapesBatchFirstUnbatchedAndStates() {
        try (LSTM lstm = new LSTM(RNNOptions.of(3, 5).withNumLayers(2).withBidirectional(true).withBatchFirst(true));
             TensorScope s = TensorScope.open()) {
            LSTM.Output o = lstm.forward(Tensor.randn(2, 7, 3), null);
            assertArrayEquals(new long[] {2, 7, 10}, o.output().shape().toArray());
            assertArrayEquals(new long[] {4, 2, 5}, o.state().h().shape().toArray());
            assertArrayEquals(new long[] {4, 2, 5}, o.state().c().shape().toArray());
            LSTM.Output u = lstm.forward(Tensor.randn(7, 3), new LSTM.State(Tensor.zeros(4, 5), Tensor.zeros(4, 5)));
            assertArrayEquals(new long[] {7, 10}, u.output().shape().toArray());
            assertArrayEquals(new long[] {4, 5}, u.state().h().shape().toArray());
        }
        try (GRUCell cell = new GRUCell(3, 4); TensorScope s = TensorScope.open()) {
            assertArrayEquals(new long[] {4}, cell.forward(Tensor.randn(3)).shape().toArray());
            assertArrayEquals(new long[] {2, 4}, cell.forward(Tensor.randn(2, 3), Tensor.randn(2, 4)).shape().toArray());
        }
    }

    @Test
    void stepByStepCellsEqualTheFusedLayer() {
        try (LSTM lstm = new LSTM(3, 4); LSTMCell cell = new LSTMCell(3, 4); TensorScope s = TensorScope.open()) {
            Map<String, Tensor> renamed = new java.util.LinkedHashMap<>();
            lstm.stateDict().forEach((k, v) -> renamed.put(k.replace("_l0", ""), v));
            cell.loadStateDict(renamed);
            Tensor x = Tensor.randn(5, 2, 3);
            LSTM.Output full = lstm.forward(x, null);
            LSTM.State st = null;
            for (long t = 0; t < 5; t++) {
                st = cell.forward(x.select(0, t), st);
                assertTrue(st.h().allclose(full.output().select(0, t), 1e-5, 1e-6), "step " + t);
            }
            assertTrue(st.c().allclose(full.state().c().select(0, 0), 1e-5, 1e-6));
        }
    }

    @Test
    void dropoutActsBetweenLayersInTrainingOnly() {
        try (GRU gru = new GRU(RNNOptions.of(3, 8).withNumLayers(2).withDropout(0.5)); TensorScope s = TensorScope.open()) {
            Tensor x = Tensor.randn(4, 2, 3);
            gru.eval();
            Tensor a = gru.forward(x);
            assertTrue(a.equal(gru.forward(x)), "eval is deterministic");
            gru.train();
            boolean differs = false;
            for (int i = 0; i < 5 && !differs; i++) {
                differs = !gru.forward(x).allclose(a);
            }
            assertTrue(differs, "training-mode dropout changes the output");
            assertEquals("GRU(3, 8, num_layers=2, dropout=0.5)", gru.toString());
        }
    }

    @Test
    void float64AfterTo() {
        try (RNN rnn = new RNN(3, 4, 2, RNN.Nonlinearity.RELU); TensorScope s = TensorScope.open()) {
            rnn.to(DType.FLOAT64);
            Tensor y = rnn.forward(Tensor.randn(5, 3).to(DType.FLOAT64));
            assertEquals(DType.FLOAT64, y.dtype());
            assertTrue(y.min().item() >= 0, "ReLU output");
        }
    }

    @Test
    void badOptionsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> RNNOptions.of(0, 4));
        assertThrows(IllegalArgumentException.class, () -> RNNOptions.of(3, 4).withNumLayers(0));
        assertThrows(IllegalArgumentException.class, () -> RNNOptions.of(3, 4).withDropout(1.5));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RNNOptions.of(3, 4).withProjSize(4));
        assertTrue(e.getMessage().contains("proj_size"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new GRU(RNNOptions.of(3, 4).withProjSize(2)));
        assertThrows(IllegalArgumentException.class, () -> new RNN(RNNOptions.of(3, 4).withProjSize(2)));
        assertThrows(IllegalArgumentException.class, () -> new LSTM(RNNOptions.of(3, 4).withNonlinearity(RNN.Nonlinearity.RELU)));
        assertThrows(IllegalArgumentException.class, () -> new LSTMCell(3, 0));
        assertThrows(IllegalArgumentException.class, () -> new RNNCell(3, 4, true, null));
    }

    @Test
    void badInputsThrowNamingTheShapes() {
        try (LSTM lstm = new LSTM(RNNOptions.of(3, 5).withNumLayers(2).withBatchFirst(true));
             GRU gru = new GRU(3, 5);
             LSTMCell cell = new LSTMCell(3, 5);
             TensorScope s = TensorScope.open()) {
            assertMessage(() -> lstm.forward(Tensor.randn(2, 4, 7)), "[2, 4, 7]", "input_size=3");
            assertMessage(() -> lstm.forward(Tensor.randn(3)), "2-D");
            assertMessage(() -> lstm.forward(Tensor.randn(1, 2, 4, 3)), "3-D");
            assertMessage(() -> lstm.forward(Tensor.randn(2, 0, 3)), "time steps");
            assertMessage(() -> lstm.forward(Tensor.randn(2, 4, 3).to(DType.FLOAT64)), "float64", "float32");
            // the batch is dimension 0 with batchFirst, so h_0 must be [2, 2, 5]
            assertMessage(() -> lstm.forward(Tensor.randn(2, 4, 3), new LSTM.State(Tensor.zeros(2, 4, 5), Tensor.zeros(2, 2, 5))),
                    "h_0", "[2, 4, 5]", "[2, 2, 5]");
            assertMessage(() -> lstm.forward(Tensor.randn(2, 4, 3), new LSTM.State(Tensor.zeros(2, 2, 5), Tensor.zeros(2, 2, 4))),
                    "c_0");
            assertMessage(() -> lstm.forward(Tensor.randn(2, 4, 3), new LSTM.State(Tensor.zeros(2, 2, 5), null)), "c_0");
            // unbatched input wants a 2-D state, as PyTorch
            assertMessage(() -> gru.forward(Tensor.randn(4, 3), Tensor.zeros(1, 1, 5)), "hx", "[1, 5]");
            assertMessage(() -> gru.forward(Tensor.randn(4, 2, 3), Tensor.zeros(1, 3, 5)), "hx", "[1, 3, 5]");
            assertMessage(() -> cell.forward(Tensor.randn(2, 4)), "input_size=3");
            assertMessage(() -> cell.forward(Tensor.randn(2, 3), new LSTM.State(Tensor.zeros(3, 5), Tensor.zeros(2, 5))),
                    "[3, 5]");
            assertMessage(() -> cell.forward(Tensor.randn(2, 3, 1)), "1-D");
            assertMessage(() -> cell.forward(Tensor.randn(3), new LSTM.State(Tensor.zeros(1, 5), Tensor.zeros(1, 5))),
                    "[5]");
        }
    }

    @Test
    void noScopeAndUseAfterClose() {
        Tensor x;
        try (TensorScope s = TensorScope.open()) {
            x = s.keep(Tensor.randn(2, 1, 3));
        }
        try (LSTM lstm = new LSTM(3, 4)) {
            assertThrows(IllegalStateException.class, () -> lstm.forward(x), "no scope open");
            lstm.close();
            assertThrows(IllegalStateException.class, () -> lstm.forward(x), "closed");
        } finally {
            x.close();
        }
    }

    private static void assertMessage(org.junit.jupiter.api.function.Executable call, String... parts) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), "'" + p + "' in: " + e.getMessage());
        }
    }
}
