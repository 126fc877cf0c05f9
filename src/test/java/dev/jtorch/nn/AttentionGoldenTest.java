package dev.jtorch.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jtorch.DType;
import dev.jtorch.Fixtures;
import dev.jtorch.NoLeaks;
import dev.jtorch.tensor.Tensor;
import dev.jtorch.tensor.TensorScope;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Embedding, LayerNorm, MultiheadAttention and the Transformer layers against PyTorch 1.13's
 * outputs, gradients and state-dict keys in {@code attention.json} (written by
 * {@code scripts/fixtures_attention.py}). Gradients are those of {@code (output * grad_output).sum()}.
 */
@ExtendWith(NoLeaks.class)
class AttentionGoldenTest {
    private static final JsonNode FIX = Fixtures.load("attention.json");

    private static Stream<Arguments> cases(String section) {
        return Fixtures.list(FIX.get(section)).stream().map(c -> Arguments.of(Named.of(c.get("name").asText(), c)));
    }

    static Stream<Arguments> embedding() {
        return cases("embedding");
    }

    static Stream<Arguments> layernorm() {
        return cases("layernorm");
    }

    static Stream<Arguments> mha() {
        return cases("mha");
    }

    static Stream<Arguments> encoder() {
        return cases("encoder");
    }

    static Stream<Arguments> encoderEval() {
        return cases("encoder_eval");
    }

    static Stream<Arguments> decoder() {
        return cases("decoder");
    }

    private static double tol(JsonNode tensor) {
        return Fixtures.dtype(tensor) == DType.FLOAT64 ? 1e-10 : 5e-5;
    }

    private static void close(JsonNode expected, Tensor actual, String what) {
        assertNotNull(actual, what + " is null");
        try {
            Fixtures.assertClose(expected, actual, tol(expected), tol(expected));
        } catch (AssertionError e) {
            throw new AssertionError(what + ": " + e.getMessage(), e);
        }
    }

    /** A fixture tensor; masks stored as 0/1 with {@code "bool": true} become bool tensors. */
    static Tensor tensor(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        Tensor t = Fixtures.tensor(node);
        return node.path("bool").asBoolean(false) ? t.ne(0L) : t;
    }

    private static Long optLong(JsonNode n) {
        return n == null || n.isNull() ? null : n.asLong();
    }

    /** Checks the fresh module's keys and shapes against PyTorch's, then loads the fixture's weights strictly. */
    private static <M extends Module> M loaded(Supplier<M> make, JsonNode c) {
        M m = make.get();
        try {
            if (c.has("keys")) {
                List<String> want = new ArrayList<>();
                List<String> got = new ArrayList<>();
                c.get("keys").forEach(k -> want.add(k.get(0).asText() + k.get(1).toString().replace(" ", "")));
                m.stateDict().forEach((k, v) -> got.add(k + java.util.Arrays.toString(v.shape().toArray()).replace(" ", "")));
                assertEquals(want, got, "state-dict keys, order and shapes");
            }
            LoadResult r = m.loadStateDict(Fixtures.tensorMap(c.get("state_dict")));
            assertTrue(r.missingKeys().isEmpty() && r.unexpectedKeys().isEmpty(), r.toString());
            return m;
        } catch (RuntimeException | Error e) {
            m.close();
            throw e;
        }
    }

    private static void assertParamGrads(JsonNode grads, Module m) {
        int n = 0;
        for (Map.Entry<String, Tensor> e : m.namedParameters().entrySet()) {
            JsonNode want = grads.get(e.getKey());
            if (want == null) {
                assertNull(e.getValue().grad(), e.getKey() + " has a grad PyTorch does not");
                continue;
            }
            close(want, e.getValue().grad(), "grad of " + e.getKey());
            n++;
        }
        assertTrue(n > 0, "no parameter gradients compared");
    }

    private static void backward(Tensor y, JsonNode c) {
        y.mul(Fixtures.tensor(c.get("grad_output"))).sum().backward();
    }

    // ================================================================ Embedding, LayerNorm

    @ParameterizedTest(name = "Embedding {0}")
    @MethodSource("embedding")
    void embeddingMatchesPyTorch(JsonNode c) {
        Long pad = optLong(c.get("padding_idx"));
        Double maxNorm = c.get("max_norm").isNull() ? null : c.get("max_norm").asDouble();
        try (TensorScope s = TensorScope.open();
             Embedding m = loaded(() -> new Embedding(c.get("num").asLong(), c.get("dim").asLong(), pad, maxNorm, 2.0,
                     false), c)) {
            Tensor y = m.forward(tensor(c.get("input")));
            close(c.get("output"), y, "output");
            backward(y, c);
            close(c.get("grads").get("weight"), m.weight().grad(), "grad of weight");
            close(c.get("state_dict_after").get("weight"), m.weight(), "weight after max_norm");
        }
    }

    @Test
    void embeddingInitialisesLikePyTorch() {
        try (TensorScope s = TensorScope.open(); Embedding m = new Embedding(50, 8, 3L)) {
            assertEquals(List.of("weight"), new ArrayList<>(m.stateDict().keySet()));
            double[] w = m.weight().toDoubleArray();
            double sum = 0;
            double sq = 0;
            for (int i = 0; i < w.length; i++) {
                if (i / 8 == 3) {
                    assertEquals(0.0, w[i], "padding row is zero");
                }
                sum += w[i];
                sq += w[i] * w[i];
            }
            double var = sq / w.length - (sum / w.length) * (sum / w.length);
            assertTrue(Math.abs(var - 1) < 0.3, "N(0, 1) variance, got " + var);
            assertEquals("Embedding(50, 8, padding_idx=3)", m.toString());
            assertThrows(IllegalArgumentException.class, () -> m.forward(Tensor.zeros(2)));
        }
        assertThrows(IllegalArgumentException.class, () -> new Embedding(5, 2, 5L));
    }

    @ParameterizedTest(name = "LayerNorm {0}")
    @MethodSource("layernorm")
    void layerNormMatchesPyTorch(JsonNode c) {
        JsonNode ns = c.get("normalized_shape");
        long[] shape = new long[ns.size()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = ns.get(i).asLong();
        }
        boolean affine = c.get("affine").asBoolean();
        DType dtype = Fixtures.dtype(c.get("input"));
        try (TensorScope s = TensorScope.open();
             LayerNorm m = loaded(() -> {
                 LayerNorm l = new LayerNorm(shape, c.get("eps").asDouble(), affine, true);
                 if (dtype == DType.FLOAT64) {
                     l.to(DType.FLOAT64);
                 }
                 return l;
             }, c)) {
            Tensor x = Fixtures.tensor(c.get("input")).requiresGrad(true);
            Tensor y = m.forward(x);
            close(c.get("output"), y, "output");
            backward(y, c);
            close(c.get("grads").get("input"), x.grad(), "grad of input");
            if (affine) {
                assertParamGrads(c.get("grads"), m);
            } else {
                assertTrue(m.stateDict().isEmpty());
            }
        }
    }

    @Test
    void layerNormInitAndErrors() {
        try (TensorScope s = TensorScope.open(); LayerNorm m = new LayerNorm(4)) {
            assertEquals(List.of("weight", "bias"), new ArrayList<>(m.stateDict().keySet()));
            assertEquals("LayerNorm((4,), eps=1e-05, elementwise_affine=True)", m.toString());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.forward(Tensor.zeros(2, 3)));
            assertTrue(e.getMessage().contains("[2, 3]"), e.getMessage());
        }
    }

    // ================================================================ MultiheadAttention

    private static MultiheadAttentionOptions mhaOptions(JsonNode c) {
        return MultiheadAttentionOptions.of(c.get("embed_dim").asLong(), c.get("num_heads").asLong())
                .withBias(c.get("bias").asBoolean()).withAddBiasKv(c.get("add_bias_kv").asBoolean())
                .withAddZeroAttn(c.get("add_zero_attn").asBoolean()).withKdim(optLong(c.get("kdim")))
                .withVdim(optLong(c.get("vdim"))).withBatchFirst(c.get("batch_first").asBoolean());
    }

    @ParameterizedTest(name = "MultiheadAttention {0}")
    @MethodSource("mha")
    void multiheadAttentionMatchesPyTorch(JsonNode c) {
        boolean self = c.get("self_attention").asBoolean();
        boolean needWeights = c.get("need_weights").asBoolean();
        try (TensorScope s = TensorScope.open();
             MultiheadAttention m = loaded(() -> new MultiheadAttention(mhaOptions(c)), c)) {
            Tensor q = Fixtures.tensor(c.get("query")).requiresGrad(true);
            Tensor k = self ? q : Fixtures.tensor(c.get("key")).requiresGrad(true);
            Tensor v = self ? q : Fixtures.tensor(c.get("value")).requiresGrad(true);
            MultiheadAttention.Output out = m.forward(q, k, v, tensor(c.get("key_padding_mask")), needWeights,
                    tensor(c.get("attn_mask")), c.get("average_attn_weights").asBoolean(), false);
            close(c.get("output"), out.output(), "output");
            if (needWeights) {
                close(c.get("weights"), out.weights(), "weights");
            } else {
                assertNull(out.weights());
            }
            backward(out.output(), c);
            JsonNode g = c.get("grads");
            close(g.get("query"), q.grad(), "grad of query");
            if (!self) {
                close(g.get("key"), k.grad(), "grad of key");
                close(g.get("value"), v.grad(), "grad of value");
            }
            assertParamGrads(g, m);
        }
    }

    @Test
    void multiheadAttentionSelfForwardAndInit() {
        try (TensorScope s = TensorScope.open(); MultiheadAttention m = new MultiheadAttention(8, 2, 0.0, true)) {
            assertEquals(List.of("in_proj_weight", "in_proj_bias", "out_proj.weight", "out_proj.bias"),
                    new ArrayList<>(m.stateDict().keySet()));
            for (double b : m.inProjBias().toDoubleArray()) {
                assertEquals(0.0, b);
            }
            for (double b : m.outProj().bias().toDoubleArray()) {
                assertEquals(0.0, b);
            }
            double bound = Math.sqrt(6.0 / 32);
            for (double w : m.inProjWeight().toDoubleArray()) {
                assertTrue(Math.abs(w) <= bound, "xavier_uniform bound");
            }
            Tensor x = Tensor.randn(3, 5, 8);
            Tensor y = m.forward(x);
            Fixtures.assertClose(m.forward(x, x, x, null, false, null).output().toDoubleArray(), y, 1e-6, 1e-6);
            org.junit.jupiter.api.Assertions.assertArrayEquals(new long[] {3, 5, 8}, y.shape().toArray());
        }
    }

    @Test
    void multiheadAttentionCausalFlagEqualsTheCausalMask() {
        try (TensorScope s = TensorScope.open(); MultiheadAttention m = new MultiheadAttention(8, 2, 0.0, true)) {
            Tensor x = Tensor.randn(2, 5, 8);
            Tensor mask = Tensor.ones(5, 5).triu(1).ne(0L);
            Tensor want = m.forward(x, x, x, null, true, mask).output();
            Fixtures.assertClose(want.toDoubleArray(), m.forward(x, x, x, null, false, null, true, true).output(), 1e-5, 1e-5);
            Fixtures.assertClose(want.toDoubleArray(), m.forward(x, x, x, null, true, null, true, true).output(), 1e-5, 1e-5);
        }
    }

    @Test
    void multiheadAttentionBadArgumentsNameTheArgument() {
        assertThrows(IllegalArgumentException.class, () -> new MultiheadAttention(10, 3));
        try (TensorScope s = TensorScope.open(); MultiheadAttention m = new MultiheadAttention(8, 2)) {
            Tensor x = Tensor.randn(5, 2, 8);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> m.forward(x, x, x, Tensor.zeros(2, 4).ne(0L), true, null));
            assertTrue(e.getMessage().contains("key_padding_mask"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> m.forward(x, x, x, null, true, Tensor.zeros(4, 5)));
            assertTrue(e.getMessage().contains("attn_mask"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> m.forward(x, x, x, null, true, Tensor.zeros(new long[] {5, 5}, DType.INT64)));
            assertTrue(e.getMessage().contains("attn_mask"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> m.forward(Tensor.randn(5, 2, 6)));
            assertTrue(e.getMessage().contains("[5, 2, 6]"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> m.forward(Tensor.randn(8)));
        }
    }

    // ================================================================ Transformer layers

    private static TransformerLayerOptions layerOptions(JsonNode c) {
        return TransformerLayerOptions.of(c.get("d_model").asLong(), c.get("nhead").asLong())
                .withDimFeedforward(c.get("dim_feedforward").asLong()).withDropout(0.0)
                .withActivation("gelu".equals(c.get("activation").asText())
                        ? TransformerLayerOptions.Activation.GELU : TransformerLayerOptions.Activation.RELU)
                .withLayerNormEps(c.path("layer_norm_eps").asDouble(1e-5))
                .withBatchFirst(c.get("batch_first").asBoolean()).withNormFirst(c.get("norm_first").asBoolean());
    }

    private static LayerNorm finalNorm(JsonNode c) {
        return c.get("final_norm").asBoolean() ? new LayerNorm(c.get("d_model").asLong()) : null;
    }

    @ParameterizedTest(name = "Transformer encoder {0}")
    @MethodSource("encoder")
    void encoderMatchesPyTorch(JsonNode c) {
        boolean layer = "layer".equals(c.get("kind").asText());
        boolean causal = c.get("is_causal").asBoolean();
        Supplier<Module> make = () -> layer ? new TransformerEncoderLayer(layerOptions(c))
                : new TransformerEncoder(new TransformerEncoderLayer(layerOptions(c)), c.get("num_layers").asInt(), finalNorm(c));
        try (TensorScope s = TensorScope.open(); Module m = loaded(make, c)) {
            Tensor x = Fixtures.tensor(c.get("input")).requiresGrad(true);
            Tensor mask = tensor(c.get("src_mask"));
            Tensor kpm = tensor(c.get("src_key_padding_mask"));
            Tensor y = layer ? ((TransformerEncoderLayer) m).forward(x, mask, kpm, causal)
                    : ((TransformerEncoder) m).forward(x, mask, kpm, causal);
            close(c.get("output"), y, "output");
            backward(y, c);
            close(c.get("grads").get("input"), x.grad(), "grad of input");
            assertParamGrads(c.get("grads"), m);
        }
    }

    /**
     * Eval mode without gradients: PyTorch's fused encoder-layer kernel and nested tensors where
     * its conditions hold (zeros at padded positions), its ordinary path elsewhere. The same
     * results again in inference mode, and from the training path where nothing is padded.
     */
    @ParameterizedTest(name = "Transformer encoder in eval {0}")
    @MethodSource("encoderEval")
    void encoderInEvalMatchesPyTorchsFastPaths(JsonNode c) {
        boolean layer = "layer".equals(c.get("kind").asText());
        Supplier<Module> make = () -> layer ? new TransformerEncoderLayer(layerOptions(c))
                : new TransformerEncoder(new TransformerEncoderLayer(layerOptions(c)), c.get("num_layers").asInt(),
                        finalNorm(c), c.get("enable_nested_tensor").asBoolean());
        try (TensorScope s = TensorScope.open(); Module m = loaded(make, c)) {
            m.eval();
            Tensor x = Fixtures.tensor(c.get("input"));
            Tensor kpm = tensor(c.get("src_key_padding_mask"));
            java.util.function.Supplier<Tensor> run = () -> layer
                    ? ((TransformerEncoderLayer) m).forward(x, null, kpm, false)
                    : ((TransformerEncoder) m).forward(x, null, kpm, false);
            try (dev.jtorch.autograd.NoGrad g = dev.jtorch.autograd.NoGrad.enter()) {
                close(c.get("output"), run.get(), "output under no_grad");
            }
            try (dev.jtorch.autograd.InferenceMode g = dev.jtorch.autograd.InferenceMode.enter()) {
                close(c.get("output"), run.get(), "output in inference mode");
            }
            if (kpm == null) {
                // grad enabled and weights requiring it: PyTorch's ordinary path, the same function
                close(c.get("output"), run.get(), "output with grad enabled");
            }
        }
    }

    @ParameterizedTest(name = "Transformer decoder {0}")
    @MethodSource("decoder")
    void decoderMatchesPyTorch(JsonNode c) {
        boolean layer = "layer".equals(c.get("kind").asText());
        boolean causal = c.get("tgt_is_causal").asBoolean();
        Supplier<Module> make = () -> layer ? new TransformerDecoderLayer(layerOptions(c))
                : new TransformerDecoder(new TransformerDecoderLayer(layerOptions(c)), c.get("num_layers").asInt(), finalNorm(c));
        try (TensorScope s = TensorScope.open(); Module m = loaded(make, c)) {
            Tensor tgt = Fixtures.tensor(c.get("tgt")).requiresGrad(true);
            Tensor mem = Fixtures.tensor(c.get("memory")).requiresGrad(true);
            Tensor[] masks = {tensor(c.get("tgt_mask")), tensor(c.get("memory_mask")), tensor(c.get("tgt_key_padding_mask")),
                    tensor(c.get("memory_key_padding_mask"))};
            Tensor y = layer
                    ? ((TransformerDecoderLayer) m).forward(tgt, mem, masks[0], masks[1], masks[2], masks[3], causal, false)
                    : ((TransformerDecoder) m).forward(tgt, mem, masks[0], masks[1], masks[2], masks[3], causal, false);
            close(c.get("output"), y, "output");
            backward(y, c);
            close(c.get("grads").get("tgt"), tgt.grad(), "grad of tgt");
            close(c.get("grads").get("memory"), mem.grad(), "grad of memory");
            assertParamGrads(c.get("grads"), m);
            UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, () -> m.forward(tgt));
            assertTrue(e.getMessage().contains("forward(tgt, memory)"), e.getMessage());
        }
    }

    @Test
    void encoderLayersStartIdenticalAndOwnTheirWeights() {
        try (TensorScope s = TensorScope.open();
             TransformerEncoder enc = new TransformerEncoder(new TransformerEncoderLayer(8, 2, 16, 0.0, true), 3)) {
            Map<String, Tensor> sd = enc.stateDict();
            assertEquals(36, sd.size());
            Fixtures.assertClose(sd.get("layers.0.self_attn.in_proj_weight").toDoubleArray(),
                    sd.get("layers.2.self_attn.in_proj_weight"), 0, 0);
            assertTrue(sd.get("layers.0.linear1.weight") != sd.get("layers.1.linear1.weight"));
        }
    }
}
