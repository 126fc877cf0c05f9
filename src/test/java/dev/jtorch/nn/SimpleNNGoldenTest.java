package dev.jtorch.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jtorch.DType;
import dev.jtorch.Fixtures;
import dev.jtorch.nn.functional.F;
import dev.jtorch.optim.SGD;
import dev.jtorch.optim.SGDOptions;
import dev.jtorch.tensor.Tensor;
import dev.jtorch.tensor.TensorScope;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.extension.ExtendWith;
import dev.jtorch.NoLeaks;

/**
 * A tiny network, Linear(6,5) → ReLU → Linear(5,3) in float64, trained two SGD steps (lr 0.1,
 * momentum 0.9) exactly as {@code simplenn_step.json} records PyTorch doing it.
 */
@ExtendWith(NoLeaks.class)
class SimpleNNGoldenTest {
    private static final JsonNode FX = Fixtures.load("simplenn_step.json");
    private static final List<String> KEYS = List.of("fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias");
    private static final double TOL = 1e-12;

    static final class SimpleNN extends Module {
        final Linear fc1 = register("fc1", new Linear(6, 5));
        final Linear fc2 = register("fc2", new Linear(5, 3));

        @Override
        public Tensor forward(Tensor x) {
            return fc2.forward(F.relu(fc1.forward(x)));
        }
    }

    /** The network in float64 with the fixture's initial state loaded. */
    private static SimpleNN loadedNet() {
        SimpleNN net = new SimpleNN();
        try {
            net.to(DType.FLOAT64);
            try (TensorScope s = TensorScope.open()) {
                LoadResult r = net.loadStateDict(Fixtures.tensorMap(FX.get("state_dict")));
                assertEquals(List.of(), r.missingKeys());
                assertEquals(List.of(), r.unexpectedKeys());
            }
            return net;
        } catch (RuntimeException | Error e) {
            net.close();
            throw e;
        }
    }

    private static SGD optimizerFor(SimpleNN net) {
        JsonNode o = FX.get("options");
        assertEquals("SGD", FX.get("optimizer").asText());
        return new SGD(net.parameters(), SGDOptions.lr(o.get("lr").asDouble()).withMomentum(o.get("momentum").asDouble()));
    }

    private static void assertState(JsonNode expected, SimpleNN net, String when) {
        Map<String, Tensor> sd = net.stateDict();
        assertEquals(KEYS, List.copyOf(sd.keySet()), "state dict keys");
        for (String k : KEYS) {
            try {
                Fixtures.assertClose(expected.get(k), sd.get(k), TOL, TOL);
            } catch (AssertionError e) {
                throw new AssertionError(when + ", " + k + ": " + e.getMessage(), e);
            }
        }
    }

    private static void assertGrads(JsonNode expected, SimpleNN net, String when) {
        Map<String, Tensor> ps = net.namedParameters();
        for (String k : KEYS) {
            Tensor g = ps.get(k).grad();
            assertNotNull(g, when + ": no grad for " + k);
            try {
                Fixtures.assertClose(expected.get(k), g, TOL, TOL);
            } catch (AssertionError e) {
                throw new AssertionError(when + ", grad of " + k + ": " + e.getMessage(), e);
            }
        }
    }

    static Stream<String> keys() {
        return KEYS.stream();
    }

    @Test
    void structureMatchesPyTorch() {
        try (SimpleNN net = new SimpleNN()) {
            assertEquals(KEYS, List.copyOf(net.namedParameters().keySet()));
            assertEquals(6 * 5 + 5 + 5 * 3 + 3, net.parameterCount());
            assertEquals(List.of("fc1", "fc2"), List.copyOf(net.namedChildren().keySet()));
        }
    }

    @Test
    void loadedStateMatchesFixture() {
        try (SimpleNN net = loadedNet()) {
            for (Tensor p : net.parameters()) {
                assertEquals(DType.FLOAT64, p.dtype());
            }
            assertState(FX.get("state_dict"), net, "after load");
        }
    }

    @Test
    void forwardMatchesLogitsAndSoftmax() {
        try (TensorScope s = TensorScope.open(); SimpleNN net = loadedNet()) {
            Tensor x = Fixtures.tensor(FX.get("input"));
            Tensor logits = net.forward(x);
            Fixtures.assertClose(FX.get("logits"), logits, TOL, TOL);
            Fixtures.assertClose(FX.get("softmax"), F.softmax(logits, 1), TOL, TOL);
        }
    }

    @Test
    void lossMatches() {
        try (TensorScope s = TensorScope.open(); SimpleNN net = loadedNet()) {
            Tensor loss = F.crossEntropy(net.forward(Fixtures.tensor(FX.get("input"))), Fixtures.tensor(FX.get("target")));
            Fixtures.assertClose(FX.get("loss"), loss, TOL, TOL);
        }
    }

    @ParameterizedTest(name = "grad of {0}")
    @MethodSource("keys")
    void eachGradientMatches(String key) {
        try (TensorScope s = TensorScope.open(); SimpleNN net = loadedNet()) {
            F.crossEntropy(net.forward(Fixtures.tensor(FX.get("input"))), Fixtures.tensor(FX.get("target"))).backward();
            Tensor g = net.namedParameters().get(key).grad();
            assertNotNull(g);
            Fixtures.assertClose(FX.get("grads").get(key), g, TOL, TOL);
        }
    }

    @Test
    void twoSgdMomentumStepsMatch() {
        try (TensorScope s = TensorScope.open(); SimpleNN net = loadedNet(); SGD opt = optimizerFor(net)) {
            Tensor x = Fixtures.tensor(FX.get("input"));
            Tensor target = Fixtures.tensor(FX.get("target"));

            // step 1
            opt.zeroGrad();
            try (TensorScope step = TensorScope.open()) {
                Tensor logits = net.forward(x);
                Tensor loss = F.crossEntropy(logits, target);
                Fixtures.assertClose(FX.get("logits"), logits, TOL, TOL);
                Fixtures.assertClose(FX.get("loss"), loss, TOL, TOL);
                loss.backward();
                assertGrads(FX.get("grads"), net, "step 1");
                opt.step();
            }
            assertState(FX.get("state_dict_after_step1"), net, "after step 1");

            // step 2: fresh forward and backward on the same batch
            opt.zeroGrad();
            for (Tensor p : net.parameters()) {
                assertNull(p.grad(), "zeroGrad between steps");
            }
            try (TensorScope step = TensorScope.open()) {
                Tensor logits = net.forward(x);
                Tensor loss = F.crossEntropy(logits, target);
                Fixtures.assertClose(FX.get("logits_step2"), logits, TOL, TOL);
                Fixtures.assertClose(FX.get("loss_step2"), loss, TOL, TOL);
                loss.backward();
                assertGrads(FX.get("grads_step2"), net, "step 2");
                opt.step();
            }
            assertState(FX.get("state_dict_after_step2"), net, "after step 2");
        }
    }

    @Test
    void stepTwoLossIsLower() {
        // sanity independent of the fixture values: one step along the gradient reduces the loss
        double l1 = Fixtures.scalar(FX.get("loss"));
        double l2 = Fixtures.scalar(FX.get("loss_step2"));
        try (TensorScope s = TensorScope.open(); SimpleNN net = loadedNet(); SGD opt = optimizerFor(net)) {
            Tensor x = Fixtures.tensor(FX.get("input"));
            Tensor target = Fixtures.tensor(FX.get("target"));
            Tensor loss = F.crossEntropy(net.forward(x), target);
            assertEquals(l1, loss.item(), TOL);
            loss.backward();
            opt.step();
            double after = F.crossEntropy(net.forward(x), target).item();
            assertEquals(l2, after, TOL);
            assertEquals(true, after < l1, "loss " + l1 + " -> " + after);
        }
    }

    @Test
    void stateDictRoundTripsIntoAFreshNetwork() {
        try (TensorScope s = TensorScope.open(); SimpleNN a = loadedNet(); SimpleNN b = new SimpleNN()) {
            b.to(DType.FLOAT64);
            b.loadStateDict(a.stateDict());
            Tensor x = Fixtures.tensor(FX.get("input"));
            Fixtures.assertClose(a.forward(x).toDoubleArray(), b.forward(x), 0, 0);
        }
    }
}
