package dev.jtorch.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jtorch.DType;
import dev.jtorch.Fixtures;
import dev.jtorch.NoLeaks;
import dev.jtorch.tensor.Tensor;
import dev.jtorch.tensor.TensorScope;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * LSTM, GRU, RNN (tanh and ReLU) and their cells against PyTorch 1.13 in {@code rnn.json} (written
 * by {@code scripts/fixtures_lstm.py}): state-dict keys in order, repr, outputs, final states, and
 * the gradients of the input, the initial states and every parameter for the loss
 * {@code (output * g_out).sum() + (h_n * g_h).sum() [+ (c_n * g_c).sum()]}.
 */
@ExtendWith(NoLeaks.class)
class RecurrentGoldenTest {
    private static final JsonNode FIX = Fixtures.load("rnn.json");

    static Stream<Arguments> layers() {
        return Fixtures.list(FIX.get("layers")).stream().map(c -> Arguments.of(Named.of(c.get("name").asText(), c)));
    }

    static Stream<Arguments> cells() {
        return Fixtures.list(FIX.get("cells")).stream().map(c -> Arguments.of(Named.of(c.get("name").asText(), c)));
    }

    private static double tol(JsonNode tensor) {
        return Fixtures.dtype(tensor) == DType.FLOAT64 ? 1e-10 : 2e-5;
    }

    private static void assertClose(JsonNode expected, Tensor actual, String what) {
        assertNotNull(actual, what + " is null");
        try {
            Fixtures.assertClose(expected, actual, tol(expected), tol(expected));
        } catch (AssertionError e) {
            throw new AssertionError(what + ": " + e.getMessage(), e);
        }
    }

    private static RNN.Nonlinearity nonlinearity(JsonNode c) {
        return c.get("nonlinearity").asText().equals("relu") ? RNN.Nonlinearity.RELU : RNN.Nonlinearity.TANH;
    }

    private static RNNBase layer(JsonNode c) {
        RNNOptions o = RNNOptions.of(c.get("input_size").asLong(), c.get("hidden_size").asLong())
                .withNumLayers(c.get("num_layers").asLong())
                .withBias(c.get("bias").asBoolean())
                .withBatchFirst(c.get("batch_first").asBoolean())
                .withBidirectional(c.get("bidirectional").asBoolean())
                .withProjSize(c.get("proj_size").asLong());
        switch (c.get("kind").asText()) {
            case "lstm":
                return new LSTM(o);
            case "gru":
                return new GRU(o);
            case "rnn":
                return new RNN(o.withNonlinearity(nonlinearity(c)));
            default:
                throw new AssertionError(c.get("kind"));
        }
    }

    private static RNNCellBase cell(JsonNode c) {
        long in = c.get("input_size").asLong();
        long h = c.get("hidden_size").asLong();
        boolean bias = c.get("bias").asBoolean();
        switch (c.get("kind").asText()) {
            case "lstm":
                return new LSTMCell(in, h, bias);
            case "gru":
                return new GRUCell(in, h, bias);
            case "rnn":
                return new RNNCell(in, h, bias, nonlinearity(c));
            default:
                throw new AssertionError(c.get("kind"));
        }
    }

    /** Checks the key order against PyTorch's and loads the fixture's weights. */
    private static void load(Module m, JsonNode c) {
        JsonNode sd = c.get("state_dict");
        List<String> keys = new ArrayList<>();
        sd.fieldNames().forEachRemaining(keys::add);
        assertEquals(keys, new ArrayList<>(m.stateDict().keySet()), "state-dict keys and order");
        if (Fixtures.dtype(c.get("input")) == DType.FLOAT64) {
            m.to(DType.FLOAT64);
        }
        LoadResult r = m.loadStateDict(Fixtures.tensorMap(sd));
        assertTrue(r.missingKeys().isEmpty() && r.unexpectedKeys().isEmpty(), r.toString());
    }

    private static Tensor leaf(JsonNode c, String key) {
        return c.has(key) ? Fixtures.tensor(c.get(key)).requiresGrad(true) : null;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("layers")
    void layerMatchesPyTorch(JsonNode c) {
        try (RNNBase m = layer(c); TensorScope s = TensorScope.open()) {
            assertEquals(c.get("repr").asText(), m.toString());
            load(m, c);
            Tensor x = leaf(c, "input");
            Tensor h0 = leaf(c, "h0");
            Tensor c0 = leaf(c, "c0");
            Tensor out;
            Tensor hn;
            Tensor cn = null;
            if (m instanceof LSTM lstm) {
                LSTM.Output o = lstm.forward(x, h0 == null ? null : new LSTM.State(h0, c0));
                out = o.output();
                hn = o.state().h();
                cn = o.state().c();
                assertClose(c.get("c_n"), cn, "c_n");
            } else if (m instanceof GRU gru) {
                GRU.Output o = gru.forward(x, h0);
                out = o.output();
                hn = o.h();
            } else {
                RNN.Output o = ((RNN) m).forward(x, h0);
                out = o.output();
                hn = o.h();
            }
            assertClose(c.get("output"), out, "output");
            assertClose(c.get("h_n"), hn, "h_n");
            if (h0 == null) {
                // forward(Tensor) is the zero-state output
                assertClose(c.get("output"), m.forward(Fixtures.tensor(c.get("input"))), "forward(input)");
            }
            Tensor loss = out.mul(Fixtures.tensor(c.get("g_out"))).sum().add(hn.mul(Fixtures.tensor(c.get("g_h"))).sum());
            if (cn != null) {
                loss = loss.add(cn.mul(Fixtures.tensor(c.get("g_c"))).sum());
            }
            loss.backward();
            assertGrads(c.get("grads"), m, x, h0, c0);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cells")
    void cellMatchesPyTorch(JsonNode c) {
        try (RNNCellBase m = cell(c); TensorScope s = TensorScope.open()) {
            assertEquals(c.get("repr").asText(), m.toString());
            load(m, c);
            Tensor x = leaf(c, "input");
            Tensor h0 = leaf(c, "h0");
            Tensor c0 = leaf(c, "c0");
            Tensor h;
            Tensor cn = null;
            if (m instanceof LSTMCell lstm) {
                LSTM.State st = lstm.forward(x, h0 == null ? null : new LSTM.State(h0, c0));
                h = st.h();
                cn = st.c();
                assertClose(c.get("c"), cn, "c'");
            } else if (m instanceof GRUCell gru) {
                h = gru.forward(x, h0);
            } else {
                h = ((RNNCell) m).forward(x, h0);
            }
            assertClose(c.get("h"), h, "h'");
            if (h0 == null) {
                assertClose(c.get("h"), m.forward(Fixtures.tensor(c.get("input"))), "forward(input)");
            }
            Tensor loss = h.mul(Fixtures.tensor(c.get("g_h"))).sum();
            if (cn != null) {
                loss = loss.add(cn.mul(Fixtures.tensor(c.get("g_c"))).sum());
            }
            loss.backward();
            assertGrads(c.get("grads"), m, x, h0, c0);
        }
    }

    private static void assertGrads(JsonNode g, Module m, Tensor x, Tensor h0, Tensor c0) {
        assertClose(g.get("input"), x.grad(), "grad of input");
        if (h0 != null) {
            assertClose(g.get("h0"), h0.grad(), "grad of h0");
        }
        if (c0 != null) {
            assertClose(g.get("c0"), c0.grad(), "grad of c0");
        }
        Map<String, Tensor> params = m.namedParameters();
        List<String> expected = new ArrayList<>();
        g.fieldNames().forEachRemaining(k -> {
            if (!k.equals("input") && !k.equals("h0") && !k.equals("c0")) {
                expected.add(k);
            }
        });
        assertEquals(expected, new ArrayList<>(params.keySet()), "parameters");
        for (Map.Entry<String, Tensor> e : params.entrySet()) {
            assertClose(g.get(e.getKey()), e.getValue().grad(), "grad of " + e.getKey());
        }
    }
}
