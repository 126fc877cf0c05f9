package dev.jtorch.nn.functional;

import static dev.jtorch.Fixtures.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jtorch.DType;
import dev.jtorch.Fixtures;
import dev.jtorch.Torch;
import dev.jtorch.TorchException;
import dev.jtorch.nn.utils.ClipGrad;
import dev.jtorch.tensor.Tensor;
import dev.jtorch.tensor.TensorScope;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every cross-entropy option, nll_loss and clip_grad_norm_ against PyTorch ({@code losses.json}). */
class LossOptionsGoldenTest {
    private static final JsonNode ROOT = Fixtures.load("losses.json");
    private long baseline;

    @BeforeEach
    void before() {
        baseline = Torch.liveHandles();
    }

    @AfterEach
    void noLeaks() {
        assertEquals(baseline, Torch.liveHandles(), "native handles leaked");
    }

    static Stream<Arguments> crossEntropyCases() {
        return Fixtures.list(ROOT.get("cross_entropy")).stream().map(c -> Arguments.of(c.get("name").asText(), c));
    }

    static Stream<Arguments> nllCases() {
        return Fixtures.list(ROOT.get("nll_loss")).stream().map(c -> Arguments.of(c.get("name").asText(), c));
    }

    static Stream<Arguments> clipCases() {
        return Fixtures.list(ROOT.get("clip_grad_norm")).stream().map(c -> Arguments.of(c.get("name").asText(), c));
    }

    private static Reduction reduction(String s) {
        return Reduction.valueOf(s.toUpperCase(Locale.ROOT));
    }

    private static double tol(JsonNode t) {
        return Fixtures.dtype(t) == DType.FLOAT64 ? 1e-12 : 2e-6;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("crossEntropyCases")
    void crossEntropyMatchesPyTorch(String name, JsonNode c) {
        try (TensorScope s = TensorScope.open()) {
            JsonNode o = c.get("options");
            Tensor logits = Fixtures.tensor(c.get("logits")).requiresGrad(true);
            CrossEntropyOptions opts = CrossEntropyOptions.defaults()
                    .withReduction(reduction(o.get("reduction").asText()))
                    .withIgnoreIndex(o.get("ignore_index").asLong())
                    .withLabelSmoothing(o.get("label_smoothing").asDouble());
            if (c.has("weight")) {
                opts = opts.withWeight(Fixtures.tensor(c.get("weight")));
            }
            Tensor loss = F.crossEntropy(logits, Fixtures.tensor(c.get("target")), opts);
            double t = tol(c.get("logits"));
            assertClose(c.get("loss"), loss, t, t * 10);
            loss.sum().backward();
            assertClose(c.get("grad"), logits.grad(), t, t * 10);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("nllCases")
    void nllLossMatchesPyTorch(String name, JsonNode c) {
        try (TensorScope s = TensorScope.open()) {
            Tensor x = Fixtures.tensor(c.get("input")).requiresGrad(true);
            Tensor w = c.has("weight") ? Fixtures.tensor(c.get("weight")) : null;
            Tensor loss = F.nllLoss(x, Fixtures.tensor(c.get("target")), w, c.get("ignore_index").asLong(),
                    reduction(c.get("reduction").asText()));
            assertClose(c.get("loss"), loss, 2e-6, 2e-5);
            loss.sum().backward();
            assertClose(c.get("grad"), x.grad(), 2e-6, 2e-5);
        }
    }

    @Test
    void nllOfLogSoftmaxIsCrossEntropy() {
        try (TensorScope s = TensorScope.open()) {
            Tensor logits = Tensor.randn(8, 5);
            Tensor target = Tensor.of(new long[] {0, 1, 2, 3, 4, 0, 1, 2}, 8);
            assertEquals(F.crossEntropy(logits, target).item(), F.nllLoss(F.logSoftmax(logits, 1), target).item(), 1e-6);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("clipCases")
    void clipGradNormMatchesPyTorch(String name, JsonNode c) {
        try (TensorScope s = TensorScope.open()) {
            List<JsonNode> grads = Fixtures.list(c.get("grads"));
            Tensor a = Tensor.zeros(dev.jtorch.tensor.Shape.of(3, 2), DType.FLOAT64, dev.jtorch.Device.CPU).requiresGrad(true);
            Tensor b = Tensor.zeros(dev.jtorch.tensor.Shape.of(4), DType.FLOAT64, dev.jtorch.Device.CPU).requiresGrad(true);
            // (p * g).sum() has gradient exactly g
            a.mul(Fixtures.tensor(grads.get(0))).sum().add(b.mul(Fixtures.tensor(grads.get(1))).sum()).backward();
            JsonNode nt = c.get("norm_type");
            double normType = nt.isTextual() ? Double.POSITIVE_INFINITY : nt.asDouble();
            double total = ClipGrad.clipGradNorm(List.of(a, b), c.get("max_norm").asDouble(), normType, false);
            assertEquals(c.get("total_norm").asDouble(), total, 1e-12);
            List<JsonNode> clipped = Fixtures.list(c.get("clipped"));
            assertClose(clipped.get(0), a.grad(), 1e-12, 1e-10);
            assertClose(clipped.get(1), b.grad(), 1e-12, 1e-10);
        }
    }

    @Test
    void clipGradNormFollowsItsFormula() {
        try (TensorScope s = TensorScope.open()) {
            Tensor p = Tensor.zeros(dev.jtorch.tensor.Shape.of(4), DType.FLOAT64, dev.jtorch.Device.CPU).requiresGrad(true);
            p.mul(Tensor.of(new double[] {3, 4, 0, 0}, 4)).sum().backward();   // grad = [3, 4, 0, 0], norm 5
            double total = ClipGrad.clipGradNorm(List.of(p), 1.0);
            assertEquals(5.0, total, 1e-12);
            double scale = 1.0 / (5.0 + 1e-6);
            double[] g = p.grad().toDoubleArray();
            assertEquals(3 * scale, g[0], 1e-12);
            assertEquals(4 * scale, g[1], 1e-12);
        }
    }

    @Test
    void clipGradNormRejectsNegativeMaxNormAndReportsNonFinite() {
        try (TensorScope s = TensorScope.open()) {
            Tensor p = Tensor.zeros(2).requiresGrad(true);
            p.mul(Tensor.of(new float[] {Float.POSITIVE_INFINITY, 1}, 2)).sum().backward();
            assertThrows(IllegalArgumentException.class, () -> ClipGrad.clipGradNorm(List.of(p), -1));
            TorchException e = assertThrows(TorchException.class,
                    () -> ClipGrad.clipGradNorm(List.of(p), 1.0, 2.0, true));
            assertTrue(e.getMessage().startsWith("clipGradNorm"), e.getMessage());
            assertTrue(e.getMessage().contains("non-finite"), e.getMessage());
        }
    }

    @Test
    void labelSmoothingOutsideTheUnitIntervalIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> CrossEntropyOptions.defaults().withLabelSmoothing(1.5));
        assertThrows(IllegalArgumentException.class, () -> CrossEntropyOptions.defaults().withLabelSmoothing(-0.1));
    }

    @Test
    void weightOfTheWrongLengthNamesTheProblem() {
        try (TensorScope s = TensorScope.open()) {
            Tensor logits = Tensor.randn(3, 4);
            Tensor target = Tensor.of(new long[] {0, 1, 2}, 3);
            TorchException e = assertThrows(TorchException.class, () -> F.crossEntropy(logits, target,
                    CrossEntropyOptions.defaults().withWeight(Tensor.ones(3))));
            assertTrue(e.getMessage().startsWith("crossEntropy([3, 4] float32, [3] int64)"), e.getMessage());
            assertTrue(!e.getMessage().contains("Exception raised from"), e.getMessage());
        }
    }
}
