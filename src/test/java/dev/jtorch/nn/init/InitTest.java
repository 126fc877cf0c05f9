package dev.jtorch.nn.init;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jtorch.Fixtures;
import dev.jtorch.Torch;
import dev.jtorch.nn.Linear;
import dev.jtorch.tensor.Tensor;
import dev.jtorch.tensor.TensorScope;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** nn.init against PyTorch 1.13 with the same seed (fixtures/init.json from scripts/fixtures_init.py). */
class InitTest {
    private static final Map<String, UnaryOperator<Tensor>> CALLS = Map.ofEntries(
            Map.entry("uniform", t -> Init.uniform_(t, -0.5, 2.0)),
            Map.entry("normal", t -> Init.normal_(t, 0.5, 2.0)),
            Map.entry("normal_small", Init::normal_),
            Map.entry("trunc_normal", t -> Init.truncNormal_(t, 0.1, 0.5, -0.4, 0.6)),
            Map.entry("xavier_uniform", t -> Init.xavierUniform_(t, 1.5)),
            Map.entry("xavier_normal", Init::xavierNormal_),
            Map.entry("kaiming_uniform", t -> Init.kaimingUniform_(t, Math.sqrt(5))),
            Map.entry("kaiming_uniform_fan_out_relu", t -> Init.kaimingUniform_(t, 0, FanMode.FAN_OUT, "relu")),
            Map.entry("kaiming_normal", t -> Init.kaimingNormal_(t, 0, FanMode.FAN_IN, "relu")),
            Map.entry("orthogonal", t -> Init.orthogonal_(t, 2.0)),
            Map.entry("orthogonal_tall", Init::orthogonal_),
            Map.entry("sparse", t -> Init.sparse_(t, 0.3, 0.5)),
            Map.entry("dirac", t -> Init.dirac_(t, 2)),
            Map.entry("eye", Init::eye_));

    private long liveBefore;
    private TensorScope scope;

    @BeforeEach
    void open() {
        Torch.init();
        liveBefore = Torch.liveHandles();
        scope = TensorScope.open();
    }

    @AfterEach
    void close() {
        scope.close();
        assertFalse(TensorScope.isOpen());
        assertEquals(liveBefore, Torch.liveHandles(), "native handles leaked");
    }

    @Test
    void sameValuesAsPyTorchWithTheSameSeed() {
        JsonNode fx = Fixtures.load("init.json");
        for (JsonNode c : fx.get("cases")) {
            String name = c.get("name").asText();
            long[] shape = new long[c.get("shape").size()];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = c.get("shape").get(i).asLong();
            }
            Torch.manualSeed(c.get("seed").asLong());
            Tensor t = Tensor.zeros(shape);
            assertSame(t, CALLS.get(name).apply(t), name);
            try {
                Fixtures.assertClose(c.get("expected"), t, 1e-5, 1e-5);
            } catch (AssertionError e) {
                throw new AssertionError(name + ": " + e.getMessage(), e);
            }
        }
    }

    @Test
    void gainsAndFans() {
        for (JsonNode g : Fixtures.load("init.json").get("gains")) {
            String nl = g.get("nonlinearity").asText();
            double got = g.get("param").isNull() ? Init.calculateGain(nl) : Init.calculateGain(nl, g.get("param").asDouble());
            assertEquals(g.get("gain").asDouble(), got, 1e-12, nl);
        }
        assertThrows(IllegalArgumentException.class, () -> Init.calculateGain("swish"));
        assertArrayEquals(new long[] {4 * 9, 6 * 9}, Init.calculateFanInAndFanOut(Tensor.zeros(6, 4, 3, 3)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Init.xavierUniform_(Tensor.zeros(5)));
        assertTrue(e.getMessage().contains("[5]"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Init.dirac_(Tensor.zeros(5, 2, 3), 2));
        assertThrows(IllegalArgumentException.class, () -> Init.truncNormal_(Tensor.zeros(3), 0, 1, 2, -2));
    }

    @Test
    void initialisesParametersWithNoScopeOpen() {
        scope.close();
        try (Linear l = new Linear(4, 3)) {
            Init.constant_(l.weight(), 0.5);
            Init.zeros_(l.bias());
            assertTrue(l.weight().requiresGrad(), "still a parameter");
            try (TensorScope s = TensorScope.open()) {
                assertEquals(6.0, l.weight().sum().item(), 1e-6);
                assertEquals(0.0, l.bias().abs().sum().item(), 0);
                assertTrue(l.weight().isLeaf(), "no autograd history recorded");
            }
        }
        scope = TensorScope.open();
    }
}
