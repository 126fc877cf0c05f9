package dev.jtorch.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jtorch.MemoryFormat;
import dev.jtorch.NoLeaks;
import dev.jtorch.Torch;
import dev.jtorch.optim.Optimizer;
import dev.jtorch.optim.SGDOptions;
import dev.jtorch.tensor.Tensor;
import dev.jtorch.tensor.TensorScope;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code Module.to(MemoryFormat)}, PyTorch's {@code module.to(memory_format=...)}: the 4-D
 * parameters change layout in place, nothing else changes, and training goes on with the same
 * values and gradients as the NCHW twin.
 */
@ExtendWith(NoLeaks.class)
class ModuleMemoryFormatTest {
    private static Sequential net() {
        // 16 and 32 channels: the convolutions can take oneDNN's checked forward in training too
        return Sequential.of(new Conv2d(3, 16, 3), new BatchNorm2d(16), new ReLU(), new Conv2d(16, 32, 3), new ReLU(),
                new Flatten(), new Linear(32 * 4 * 4, 5));
    }

    @Test
    void onlyFourDimensionalTensorsChangeLayoutAndTheStateDictKeepsItsKeysAndValues() {
        Torch.manualSeed(3);
        try (Sequential m = net(); TensorScope s = TensorScope.open()) {
            Tensor x = Tensor.rand(2, 3, 8, 8);
            m.forward(x).sum().backward(); // gradients exist and must follow
            Map<String, Tensor> before = m.stateDict();
            List<String> keys = new ArrayList<>(before.keySet());
            List<Tensor> copies = new ArrayList<>();
            for (Tensor t : before.values()) {
                copies.add(t.clone(MemoryFormat.CONTIGUOUS));
            }
            Tensor conv = m.namedParameters().get("0.weight");
            long[] linearStride = m.namedParameters().get("6.weight").stride();

            assertSame(m, m.to(MemoryFormat.CHANNELS_LAST));
            Map<String, Tensor> after = m.stateDict();
            assertEquals(keys, new ArrayList<>(after.keySet()));
            int i = 0;
            for (Tensor t : after.values()) {
                assertTrue(t.equal(copies.get(i++)), keys.get(i - 1));
            }
            assertTrue(conv.isContiguous(MemoryFormat.CHANNELS_LAST), "the parameter itself changed layout");
            assertTrue(m.namedParameters().get("3.weight").isContiguous(MemoryFormat.CHANNELS_LAST));
            assertTrue(conv.grad().isContiguous(MemoryFormat.CHANNELS_LAST), "its gradient too");
            assertArrayEquals(linearStride, m.namedParameters().get("6.weight").stride());
            assertTrue(m.namedParameters().get("1.weight").isContiguous());

            m.to(MemoryFormat.CONTIGUOUS);
            assertTrue(conv.isContiguous());
            assertFalse(conv.isContiguous(MemoryFormat.CHANNELS_LAST));
            m.to(MemoryFormat.PRESERVE); // nothing to do
            assertTrue(conv.isContiguous());
        }
    }

    @Test
    void aChannelsLastModelTrainsAsItsNchwTwin() {
        Torch.manualSeed(11);
        try (Sequential a = net(); Sequential b = net(); TensorScope s = TensorScope.open()) {
            b.loadStateDict(a.stateDict());
            b.to(MemoryFormat.CHANNELS_LAST);
            try (Optimizer oa = SGDOptions.lr(0.1).withMomentum(0.9).build(a.parameters());
                 Optimizer ob = SGDOptions.lr(0.1).withMomentum(0.9).build(b.parameters())) {
                for (int step = 0; step < 3; step++) {
                    try (TensorScope st = TensorScope.open()) {
                        Tensor x = Tensor.rand(4, 3, 8, 8);
                        Tensor ya = a.forward(x);
                        Tensor yb = b.forward(x.contiguous(MemoryFormat.CHANNELS_LAST));
                        assertTrue(ya.allclose(yb, 1e-4, 1e-5), "forward, step " + step);
                        oa.zeroGrad();
                        ob.zeroGrad();
                        ya.square().sum().backward();
                        yb.square().sum().backward();
                        for (Map.Entry<String, Tensor> e : a.namedParameters().entrySet()) {
                            Tensor gb = b.namedParameters().get(e.getKey()).grad();
                            assertTrue(e.getValue().grad().allclose(gb, 1e-4, 1e-5), "gradient of " + e.getKey());
                        }
                        oa.step();
                        ob.step();
                    }
                }
            }
            // the optimizer updated the channels-last parameters in place
            assertTrue(b.namedParameters().get("0.weight").isContiguous(MemoryFormat.CHANNELS_LAST));
            for (Map.Entry<String, Tensor> e : a.stateDict().entrySet()) {
                assertTrue(e.getValue().allclose(b.stateDict().get(e.getKey()), 1e-4, 1e-5), e.getKey());
            }
        }
    }
}
