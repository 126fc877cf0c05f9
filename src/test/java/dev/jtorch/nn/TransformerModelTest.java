package dev.jtorch.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jtorch.Fixtures;
import dev.jtorch.NoLeaks;
import dev.jtorch.Torch;
import dev.jtorch.tensor.Tensor;
import dev.jtorch.tensor.TensorScope;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link Transformer} against PyTorch 1.13's {@code nn.Transformer(d_model=8, nhead=2,
 * num_encoder_layers=2, num_decoder_layers=1, dim_feedforward=16, dropout=0.0, batch_first=True)} in
 * {@code transformer15.json} ({@code scripts/fixtures_layers15.py}): seeded initialisation, state-dict
 * keys, forward with a causal target mask and the source's gradient.
 */
@ExtendWith(NoLeaks.class)
class TransformerModelTest {
    private static final JsonNode FIX = Fixtures.load("transformer15.json").get("transformer");

    private static Transformer model() {
        return new Transformer(8, 2, 2, 1, 16, 0.0, true);
    }

    @Test
    void seededInitialisationAndKeysArePyTorchs() {
        Torch.manualSeed(FIX.get("seed").asLong());
        try (TensorScope s = TensorScope.open(); Transformer t = model()) {
            Map<String, Tensor> sd = t.stateDict();
            List<String> keys = new ArrayList<>();
            FIX.get("keys").forEach(k -> keys.add(k.asText()));
            assertEquals(keys, new ArrayList<>(sd.keySet()));
            for (Map.Entry<String, Tensor> e : sd.entrySet()) {
                try {
                    Fixtures.assertClose(FIX.get("state_dict").get(e.getKey()), e.getValue(), 1e-6, 0);
                } catch (AssertionError err) {
                    throw new AssertionError(e.getKey() + ": " + err.getMessage(), err);
                }
            }
        }
    }

    @Test
    void forwardWithACausalMaskAndItsGradientArePyTorchs() {
        try (TensorScope s = TensorScope.open(); Transformer t = model()) {
            t.loadStateDict(Fixtures.tensorMap(FIX.get("state_dict")));
            t.eval();
            Tensor mask = Transformer.generateSquareSubsequentMask(4);
            Fixtures.assertClose(FIX.get("tgt_mask"), mask, 0, 0);
            Tensor src = Fixtures.tensor(FIX.get("src")).requiresGrad(true);
            Tensor y = t.forward(src, Fixtures.tensor(FIX.get("tgt")), null, mask, null, null, null, null);
            Fixtures.assertClose(FIX.get("output"), y, 1e-5, 1e-5);
            y.mul(Fixtures.tensor(FIX.get("grad_output"))).sum().backward();
            Fixtures.assertClose(FIX.get("grad_src"), src.grad(), 1e-5, 1e-5);
        }
    }

    @Test
    void mismatchedInputsAreClearErrors() {
        try (TensorScope s = TensorScope.open(); Transformer t = model()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> t.forward(Tensor.zeros(2, 5, 8), Tensor.zeros(3, 4, 8)));
            assertTrue(e.getMessage().contains("batch"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> t.forward(Tensor.zeros(2, 5, 6), Tensor.zeros(2, 4, 6)));
            assertTrue(e.getMessage().contains("d_model"), e.getMessage());
            assertThrows(UnsupportedOperationException.class, () -> t.forward(Tensor.zeros(2, 5, 8)));
            assertThrows(IllegalArgumentException.class, () -> Transformer.generateSquareSubsequentMask(-1));
        }
    }
}
