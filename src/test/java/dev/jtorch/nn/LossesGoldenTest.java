package dev.jtorch.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jtorch.Fixtures;
import dev.jtorch.NoLeaks;
import dev.jtorch.nn.functional.Reduction;
import dev.jtorch.tensor.Tensor;
import dev.jtorch.tensor.TensorScope;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The loss modules against PyTorch 1.13 in {@code losses15.json} (written by
 * {@code scripts/fixtures_layers15.py}): value and input gradient of {@code (loss * grad_output).sum()}
 * for each loss, option set and reduction, plus the state-dict keys of the weighted losses.
 */
@ExtendWith(NoLeaks.class)
class LossesGoldenTest {
    private static final JsonNode FIX = Fixtures.load("losses15.json");

    static Stream<Arguments> losses() {
        return Fixtures.list(FIX.get("losses")).stream().map(c -> Arguments.of(Named.of(c.get("name").asText(), c)));
    }

    private static Tensor weight(String name) {
        return Fixtures.tensor(FIX.get("weights").get(name));
    }

    /** The Java loss for a case; its weights are made in the caller's scope. */
    private static Loss make(JsonNode c) {
        JsonNode a = c.get("args");
        String red = a.get("reduction").asText();
        Reduction r = red.equals("batchmean") ? Reduction.SUM : Reduction.valueOf(red.toUpperCase(Locale.ROOT));
        switch (c.get("kind").asText()) {
            case "mse":
                return r == Reduction.MEAN ? new MSELoss() : new MSELoss(r);
            case "l1":
                return r == Reduction.MEAN ? new L1Loss() : new L1Loss(r);
            case "smooth_l1":
                return r == Reduction.MEAN && a.get("beta").asDouble() == 1.0 ? new SmoothL1Loss()
                        : new SmoothL1Loss(r, a.get("beta").asDouble());
            case "huber":
                return r == Reduction.MEAN && a.get("delta").asDouble() == 1.0 ? new HuberLoss()
                        : new HuberLoss(r, a.get("delta").asDouble());
            case "bce":
                return a.get("weight").asBoolean() ? new BCELoss(weight("bce"), r) : new BCELoss(r);
            case "bce_logits":
                if (!a.get("weight").asBoolean() && !a.get("pos_weight").asBoolean()) {
                    return new BCEWithLogitsLoss(r);
                }
                return new BCEWithLogitsLoss(a.get("weight").asBoolean() ? weight("bce") : null, r,
                        a.get("pos_weight").asBoolean() ? weight("pos_weight") : null);
            case "kl_div":
                return red.equals("batchmean") ? KLDivLoss.batchMean(a.get("log_target").asBoolean())
                        : new KLDivLoss(r, a.get("log_target").asBoolean());
            case "ctc":
                return new CTCLoss(a.get("blank").asLong(), r, a.get("zero_infinity").asBoolean());
            case "cross_entropy":
                if (!a.get("weight").asBoolean() && a.get("ignore_index").asLong() == -100
                        && a.get("label_smoothing").asDouble() == 0) {
                    return new CrossEntropyLoss(r);
                }
                return new CrossEntropyLoss(a.get("weight").asBoolean() ? weight("class_weight") : null,
                        a.get("ignore_index").asLong(), r, a.get("label_smoothing").asDouble());
            case "nll":
                if (!a.get("weight").asBoolean() && a.get("ignore_index").asLong() == -100) {
                    return new NLLLoss(r);
                }
                return new NLLLoss(a.get("weight").asBoolean() ? weight("class_weight") : null,
                        a.get("ignore_index").asLong(), r);
            case "soft_margin":
                return r == Reduction.MEAN ? new SoftMarginLoss() : new SoftMarginLoss(r);
            case "hinge_embedding":
                return r == Reduction.MEAN && a.get("margin").asDouble() == 1.0 ? new HingeEmbeddingLoss()
                        : new HingeEmbeddingLoss(a.get("margin").asDouble(), r);
            case "multilabel_margin":
                return r == Reduction.MEAN ? new MultiLabelMarginLoss() : new MultiLabelMarginLoss(r);
            case "poisson_nll":
                return r == Reduction.MEAN && a.get("log_input").asBoolean() && !a.get("full").asBoolean()
                        ? new PoissonNLLLoss()
                        : new PoissonNLLLoss(a.get("log_input").asBoolean(), a.get("full").asBoolean(),
                                a.get("eps").asDouble(), r);
            case "multilabel_soft_margin":
                return r == Reduction.MEAN && !a.get("weight").asBoolean() ? new MultiLabelSoftMarginLoss()
                        : new MultiLabelSoftMarginLoss(a.get("weight").asBoolean() ? weight("multilabel_weight") : null, r);
            case "multi_margin":
                return r == Reduction.MEAN && !a.get("weight").asBoolean() && a.get("p").asLong() == 1
                        ? new MultiMarginLoss()
                        : new MultiMarginLoss(a.get("p").asLong(), a.get("margin").asDouble(),
                                a.get("weight").asBoolean() ? weight("class_weight") : null, r);
            case "cosine_embedding":
                return r == Reduction.MEAN && a.get("margin").asDouble() == 0 ? new CosineEmbeddingLoss()
                        : new CosineEmbeddingLoss(a.get("margin").asDouble(), r);
            case "margin_ranking":
                return r == Reduction.MEAN && a.get("margin").asDouble() == 0 ? new MarginRankingLoss()
                        : new MarginRankingLoss(a.get("margin").asDouble(), r);
            case "triplet_margin":
                return r == Reduction.MEAN && !a.get("swap").asBoolean() && a.get("p").asDouble() == 2.0
                        ? new TripletMarginLoss()
                        : new TripletMarginLoss(a.get("margin").asDouble(), a.get("p").asDouble(), a.get("eps").asDouble(),
                                a.get("swap").asBoolean(), r);
            case "triplet_margin_with_distance":
                if (a.get("distance").asText().equals("pairwise") && r == Reduction.MEAN) {
                    return new TripletMarginWithDistanceLoss();
                }
                return new TripletMarginWithDistanceLoss(a.get("distance").asText().equals("pairwise")
                        ? dev.jtorch.nn.functional.F::pairwiseDistance
                        : (x1, x2) -> dev.jtorch.nn.functional.F.cosineSimilarity(x1, x2).neg().add(1),
                        a.get("margin").asDouble(), a.get("swap").asBoolean(), r);
            case "gaussian_nll":
                return r == Reduction.MEAN && !a.get("full").asBoolean() ? new GaussianNLLLoss()
                        : new GaussianNLLLoss(a.get("full").asBoolean(), a.get("eps").asDouble(), r);
            default:
                throw new AssertionError(c.get("kind"));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("losses")
    void valueAndInputGradientMatchPyTorch(JsonNode c) {
        try (TensorScope s = TensorScope.open(); Loss loss = make(c)) {
            List<String> keys = new ArrayList<>();
            c.get("keys").forEach(k -> keys.add(k.asText()));
            assertEquals(keys, new ArrayList<>(loss.stateDict().keySet()), "state-dict keys and order");
            for (String k : keys) {
                Fixtures.assertClose(c.get("state_dict").get(k), loss.stateDict().get(k), 0, 0);
            }
            List<JsonNode> inputs = Fixtures.list(c.get("inputs"));
            Tensor x = Fixtures.tensor(inputs.get(0)).requiresGrad(true);
            Tensor y;
            if (loss instanceof CTCLoss ctc) {
                y = ctc.forward(x, Fixtures.tensor(inputs.get(1)), Fixtures.tensor(inputs.get(2)),
                        Fixtures.tensor(inputs.get(3)));
            } else if (loss instanceof TripletLoss three) {
                y = three.forward(x, Fixtures.tensor(inputs.get(1)), Fixtures.tensor(inputs.get(2)));
            } else {
                y = loss.forward(x, Fixtures.tensor(inputs.get(1)));
            }
            Fixtures.assertClose(c.get("output"), y, 1e-5, 1e-5);
            y.mul(Fixtures.tensor(c.get("grad_output"))).sum().backward();
            assertNotNull(x.grad(), "input has no grad");
            Fixtures.assertClose(c.get("grad_input"), x.grad(), 1e-5, 1e-5);
        }
    }

    @Test
    void ctcAcceptsLengthArrays() {
        JsonNode c = Fixtures.list(FIX.get("losses")).stream().filter(n -> n.get("name").asText().equals("ctc_mean"))
                .findFirst().orElseThrow();
        try (TensorScope s = TensorScope.open(); CTCLoss loss = new CTCLoss()) {
            List<JsonNode> in = Fixtures.list(c.get("inputs"));
            Tensor y = loss.forward(Fixtures.tensor(in.get(0)), Fixtures.tensor(in.get(1)),
                    Fixtures.longValues(in.get(2)), Fixtures.longValues(in.get(3)));
            Fixtures.assertClose(c.get("output"), y, 1e-5, 1e-5);
        }
    }

    @Test
    void threeTensorLossesNameTheirOverloadAndCheckTheirSettings() {
        try (TensorScope s = TensorScope.open(); TripletMarginLoss triplet = new TripletMarginLoss();
             GaussianNLLLoss gauss = new GaussianNLLLoss()) {
            Tensor x = Tensor.zeros(2, 3);
            UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, () -> triplet.forward(x, x));
            assertTrue(e.getMessage().contains("forward(anchor, positive, negative)"), e.getMessage());
            e = assertThrows(UnsupportedOperationException.class, () -> gauss.forward(x));
            assertTrue(e.getMessage().contains("forward(input, target, var)"), e.getMessage());
            dev.jtorch.TorchException bad = assertThrows(dev.jtorch.TorchException.class,
                    () -> gauss.forward(x, x, Tensor.ones(5)));
            assertTrue(bad.getMessage().startsWith("GaussianNLLLoss"), bad.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> new MultiMarginLoss(3, 1.0, null, Reduction.MEAN));
        assertThrows(IllegalArgumentException.class, () -> new TripletMarginLoss(0, 2, 1e-6, false, Reduction.MEAN));
        assertThrows(IllegalArgumentException.class, () -> new PoissonNLLLoss(true, false, -1, Reduction.MEAN));
        try (TensorScope s = TensorScope.open()) {
            assertThrows(IllegalArgumentException.class,
                    () -> new MultiLabelSoftMarginLoss(Tensor.ones(2, 2), Reduction.MEAN), "a 2-D weight");
        }
    }

    @Test
    void oneTensorForwardNamesTheOverloadToCall() {
        try (TensorScope s = TensorScope.open(); MSELoss mse = new MSELoss(); CTCLoss ctc = new CTCLoss()) {
            Tensor x = Tensor.zeros(2);
            UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, () -> mse.forward(x));
            assertTrue(e.getMessage().contains("forward(input, target)"), e.getMessage());
            e = assertThrows(UnsupportedOperationException.class, () -> ctc.forward(x));
            assertTrue(e.getMessage().contains("forward(logProbs, targets, inputLengths, targetLengths)"), e.getMessage());
            e = assertThrows(UnsupportedOperationException.class, () -> ctc.forward(x, x));
            assertTrue(e.getMessage().contains("forward(logProbs, targets, inputLengths, targetLengths)"), e.getMessage());
        }
    }

    @Test
    void badArgumentsAreNamed() {
        try (TensorScope s = TensorScope.open(); BCELoss bce = new BCELoss()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> bce.forward(Tensor.zeros(2, 3), Tensor.zeros(3, 2)));
            assertTrue(e.getMessage().contains("[3, 2]") && e.getMessage().contains("[2, 3]"), e.getMessage());
            Tensor w = Tensor.ones(2, 2);
            e = assertThrows(IllegalArgumentException.class, () -> new CrossEntropyLoss(w, -100, Reduction.MEAN, 0));
            assertTrue(e.getMessage().contains("weight") && e.getMessage().contains("[2, 2]"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> new HuberLoss(Reduction.MEAN, 0));
            assertThrows(IllegalArgumentException.class, () -> new SmoothL1Loss(Reduction.MEAN, -1));
            assertThrows(IllegalArgumentException.class, () -> new CTCLoss(-1, Reduction.MEAN, false));
        }
        try (TensorScope s = TensorScope.open(); CrossEntropyLoss ce = new CrossEntropyLoss()) {
            Tensor logits = Tensor.zeros(2, 3);
            Tensor target = Tensor.of(new long[] {0, 5}, dev.jtorch.tensor.Shape.of(2), dev.jtorch.DType.INT64,
                    dev.jtorch.Device.CPU);
            RuntimeException e = assertThrows(RuntimeException.class, () -> ce.forward(logits, target));
            assertTrue(e.getMessage().contains("CrossEntropyLoss"), e.getMessage());
        }
    }

    @Test
    void weightBuffersMoveWithTheLossAndFollowTheStateDict() {
        try (TensorScope s = TensorScope.open();
             BCEWithLogitsLoss loss = new BCEWithLogitsLoss(Tensor.ones(3), Reduction.MEAN, Tensor.full(dev.jtorch.tensor.Shape.of(3), 2.0))) {
            assertEquals(List.of("weight", "pos_weight"), new ArrayList<>(loss.stateDict().keySet()));
            assertTrue(loss.namedParameters().isEmpty(), "weights are buffers, not parameters");
            loss.to(dev.jtorch.DType.FLOAT64);
            assertEquals(dev.jtorch.DType.FLOAT64, loss.posWeight().dtype());
            assertEquals("BCEWithLogitsLoss()", loss.toString());
        }
    }
}
