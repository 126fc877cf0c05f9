package dev.jtorch.amp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jtorch.DType;
import dev.jtorch.Device;
import dev.jtorch.NoLeaks;
import dev.jtorch.Torch;
import dev.jtorch.nn.Linear;
import dev.jtorch.nn.functional.F;
import dev.jtorch.optim.Optimizer;
import dev.jtorch.optim.SGD;
import dev.jtorch.optim.SGDOptions;
import dev.jtorch.tensor.Tensor;
import dev.jtorch.tensor.TensorScope;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * GradScaler against PyTorch's documented algorithm ({@code torch.amp.GradScaler} and
 * {@code _amp_update_scale_}): PyTorch 1.13 has no CPU kernels for these, so the expected values
 * are derived by hand from that algorithm rather than read from a fixture.
 */
@ExtendWith(NoLeaks.class)
class GradScalerTest {
    /** One forward/backward of a Linear(4, 3) on {@code x} with cross-entropy, scaled. */
    private static void backward(GradScaler scaler, Linear lin, Optimizer opt, Tensor x) {
        opt.zeroGrad();
        Tensor target = Tensor.of(new long[] {0, 1, 2, 1, 0}, 5).narrow(0, 0, x.size(0));
        scaler.scale(F.crossEntropy(lin.forward(x), target)).backward();
    }

    private static float[] weights(Linear lin) {
        try (TensorScope s = TensorScope.open()) {
            return lin.weight().toFloatArray();
        }
    }

    @Test
    void defaultsArePyTorchs() {
        try (GradScaler g = new GradScaler()) {
            assertEquals(65536.0, g.scale());
            assertEquals(0, g.growthTracker());
            GradScaler.State st = g.state();
            assertEquals(2.0, st.growthFactor());
            assertEquals(0.5, st.backoffFactor());
            assertEquals(2000, st.growthInterval());
            assertTrue(g.isEnabled());
        }
    }

    @Test
    void scaleMultipliesTheLossAndUnscaleDividesTheGradientsBack() {
        Torch.manualSeed(3);
        try (TensorScope s = TensorScope.open(); Linear lin = new Linear(4, 3);
             SGD opt = new SGD(lin.parameters(), SGDOptions.lr(0.1)); GradScaler scaler = new GradScaler()) {
            Tensor x = Tensor.randn(5, 4);
            Tensor target = Tensor.of(new long[] {0, 1, 2, 1, 0}, 5);
            F.crossEntropy(lin.forward(x), target).backward();
            float[] plain = lin.weight().grad().toFloatArray();
            opt.zeroGrad();

            Tensor loss = F.crossEntropy(lin.forward(x), target);
            Tensor scaled = scaler.scale(loss);
            assertEquals(loss.item() * 65536, scaled.item(), 1e-6 * 65536 * Math.abs(loss.item()));
            scaled.backward();
            float[] raw = lin.weight().grad().toFloatArray();
            for (int i = 0; i < raw.length; i++) {
                assertEquals(plain[i] * 65536f, raw[i], 0f, "a power-of-two scale is exact"); // i.e. not yet unscaled
            }
            scaler.unscale(opt);
            assertArrayEquals(plain, lin.weight().grad().toFloatArray(), 0f, "unscaled in place, exactly");
            assertTrue(scaler.step(opt));
            scaler.update();
            assertEquals(65536.0, scaler.scale());
            assertEquals(1, scaler.growthTracker());
        }
    }

    /** With a power-of-two scale and no overflow, scaled training is bit-identical to plain training. */
    @Test
    void scaledTrainingEqualsPlainTrainingExactly() {
        float[][] result = new float[2][];
        for (int run = 0; run < 2; run++) {
            Torch.manualSeed(11);
            try (Linear lin = new Linear(4, 3); SGD opt = new SGD(lin.parameters(), SGDOptions.lr(0.5).withMomentum(0.9));
                 GradScaler scaler = new GradScaler(GradScalerOptions.defaults().withEnabled(run == 1)
                         .withGrowthInterval(3))) {
                for (int step = 0; step < 10; step++) {
                    try (TensorScope s = TensorScope.open()) {
                        backward(scaler, lin, opt, Tensor.randn(5, 4));
                        assertTrue(scaler.step(opt));
                        scaler.update();
                    }
                }
                assertEquals(run == 1 ? 65536.0 * 8 : 1.0, scaler.scale(), "grew at steps 3, 6 and 9");
                result[run] = weights(lin);
            }
        }
        assertArrayEquals(result[0], result[1], 0f);
    }

    @Test
    void aStepWithInfiniteOrNaNGradientsIsSkippedAndTheScaleBacksOff() {
        for (double poison : new double[] {Double.POSITIVE_INFINITY, Double.NaN}) {
            Torch.manualSeed(5);
            try (TensorScope s = TensorScope.open(); Linear lin = new Linear(4, 3);
                 SGD opt = new SGD(lin.parameters(), SGDOptions.lr(0.1));
                 GradScaler scaler = new GradScaler(GradScalerOptions.defaults().withGrowthInterval(4))) {
                for (int i = 0; i < 2; i++) { // two good steps: the growth tracker counts
                    backward(scaler, lin, opt, Tensor.randn(5, 4));
                    assertTrue(scaler.step(opt));
                    scaler.update();
                }
                assertEquals(2, scaler.growthTracker());
                float[] before = weights(lin);
                // an inf/NaN input element injects inf/NaN into fc's weight gradient only
                float[] xs = Tensor.randn(5, 4).toFloatArray();
                xs[6] = (float) poison;
                backward(scaler, lin, opt, Tensor.of(xs, 5, 4));
                assertFalse(scaler.step(opt), "step skipped for " + poison);
                assertArrayEquals(before, weights(lin), 0f, "parameters untouched");
                scaler.update();
                assertEquals(32768.0, scaler.scale(), "backoff 0.5");
                assertEquals(0, scaler.growthTracker(), "tracker restarts");
                // and the next good step goes through again
                backward(scaler, lin, opt, Tensor.randn(5, 4));
                assertTrue(scaler.step(opt));
                scaler.update();
                assertEquals(32768.0, scaler.scale());
                assertEquals(1, scaler.growthTracker());
            }
        }
    }

    @Test
    void overflowFromATooLargeScaleIsCaughtAndTheScaleComesDown() {
        Torch.manualSeed(6);
        try (TensorScope s = TensorScope.open(); Linear lin = new Linear(4, 3);
             SGD opt = new SGD(lin.parameters(), SGDOptions.lr(0.1));
             GradScaler scaler = new GradScaler(GradScalerOptions.defaults().withInitScale(0x1p127))) {
            Tensor x = Tensor.randn(5, 4).mul(100);
            int skipped = 0;
            while (true) {
                backward(scaler, lin, opt, x);
                boolean stepped = scaler.step(opt);
                scaler.update();
                if (stepped) {
                    break;
                }
                skipped++;
                assertTrue(skipped < 120, "the scale never came down");
            }
            assertTrue(skipped > 0, "a 2^127 loss scale must overflow float32 gradients");
            assertEquals(Math.scalb(1.0, 127 - skipped), scaler.scale());
        }
    }

    @Test
    void theScaleGrowsAfterGrowthIntervalGoodStepsUnlessItWouldOverflow() {
        Torch.manualSeed(7);
        try (TensorScope s = TensorScope.open(); Linear lin = new Linear(4, 3);
             SGD opt = new SGD(lin.parameters(), SGDOptions.lr(0.01));
             GradScaler scaler = new GradScaler(GradScalerOptions.defaults().withInitScale(3.0)
                     .withGrowthFactor(1.5).withGrowthInterval(3))) {
            double[] expectedScale = {3, 3, 4.5, 4.5, 4.5, 6.75};
            int[] expectedTracker = {1, 2, 0, 1, 2, 0};
            for (int i = 0; i < expectedScale.length; i++) {
                backward(scaler, lin, opt, Tensor.randn(5, 4));
                scaler.step(opt);
                scaler.update();
                assertEquals(expectedScale[i], scaler.scale(), "step " + i);
                assertEquals(expectedTracker[i], scaler.growthTracker(), "step " + i);
            }
            // growing past float32's range keeps the scale (PyTorch checks isfinite) and restarts the tracker
            scaler.update(2.5e38);
            for (int i = 0; i < 3; i++) {
                opt.zeroGrad();
                // a tiny loss keeps loss * 2.5e38 and its gradients finite
                scaler.scale(lin.forward(Tensor.zeros(5, 4)).sum().mul(1e-3)).backward();
                assertTrue(scaler.step(opt));
                scaler.update();
            }
            assertEquals((double) 2.5e38f, scaler.scale());
            assertEquals(0, scaler.growthTracker());
        }
    }

    @Test
    void callsOutOfOrderAreRefusedAsPyTorchDoes() {
        try (TensorScope s = TensorScope.open(); Linear lin = new Linear(4, 3);
             SGD opt = new SGD(lin.parameters(), SGDOptions.lr(0.1)); GradScaler scaler = new GradScaler()) {
            IllegalStateException none = assertThrows(IllegalStateException.class, scaler::update);
            assertTrue(none.getMessage().contains("No inf checks were recorded"), none.getMessage());
            IllegalStateException noGrad = assertThrows(IllegalStateException.class, () -> scaler.step(opt));
            assertTrue(noGrad.getMessage().contains("none of its parameters has a gradient"), noGrad.getMessage());
            scaler.update(65536); // start over

            backward(scaler, lin, opt, Tensor.randn(5, 4));
            scaler.unscale(opt);
            IllegalStateException twice = assertThrows(IllegalStateException.class, () -> scaler.unscale(opt));
            assertTrue(twice.getMessage().contains("already been called"), twice.getMessage());
            scaler.step(opt);
            IllegalStateException stepTwice = assertThrows(IllegalStateException.class, () -> scaler.step(opt));
            assertTrue(stepTwice.getMessage().contains("step() has already been called"), stepTwice.getMessage());
            IllegalStateException afterStep = assertThrows(IllegalStateException.class, () -> scaler.unscale(opt));
            assertTrue(afterStep.getMessage().contains("after step()"), afterStep.getMessage());
            scaler.update();
            assertThrows(IllegalArgumentException.class, () -> scaler.scale(Tensor.of(new long[] {1}, 1)));
            assertThrows(IllegalArgumentException.class, () -> scaler.update(0));
            assertThrows(IllegalArgumentException.class, () -> scaler.update(Double.POSITIVE_INFINITY));
        }
        assertThrows(IllegalArgumentException.class, () -> GradScalerOptions.defaults().withGrowthFactor(1.0));
        assertThrows(IllegalArgumentException.class, () -> GradScalerOptions.defaults().withBackoffFactor(1.0));
        assertThrows(IllegalArgumentException.class, () -> GradScalerOptions.defaults().withGrowthInterval(0));
        assertThrows(IllegalArgumentException.class, () -> GradScalerOptions.defaults().withInitScale(-1));
    }

    @Test
    void float16GradientsAreRefusedBeforeAnythingChanges() {
        try (TensorScope s = TensorScope.open(); Linear lin = new Linear(4, 3)) {
            lin.to(DType.FLOAT16);
            try (SGD opt = new SGD(lin.parameters(), SGDOptions.lr(0.1)); GradScaler scaler = new GradScaler()) {
                scaler.scale(lin.forward(Tensor.randn(5, 4).to(DType.FLOAT16)).to(DType.FLOAT32).sum()).backward();
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> scaler.unscale(opt));
                assertTrue(e.getMessage().contains("Attempting to unscale FP16 gradients"), e.getMessage());
            }
        }
    }

    @Test
    void aDisabledScalerPassesEverythingThrough() {
        try (TensorScope s = TensorScope.open(); Linear lin = new Linear(4, 3);
             SGD opt = new SGD(lin.parameters(), SGDOptions.lr(0.1));
             GradScaler scaler = new GradScaler(GradScalerOptions.defaults().withEnabled(false))) {
            Tensor loss = F.crossEntropy(lin.forward(Tensor.randn(5, 4)), Tensor.of(new long[] {0, 1, 2, 1, 0}, 5));
            assertSame(loss, scaler.scale(loss));
            loss.backward();
            float[] before = lin.weight().toFloatArray();
            scaler.unscale(opt);
            assertTrue(scaler.step(opt));
            scaler.update();
            assertFalse(java.util.Arrays.equals(before, lin.weight().toFloatArray()), "stepped");
            assertEquals(1.0, scaler.scale());
        }
    }

    @Test
    void stateRoundTripsThroughAMapAndJsonAndResumesIdentically() throws Exception {
        ObjectMapper json = new ObjectMapper();
        GradScalerOptions opts = GradScalerOptions.defaults().withInitScale(1024).withGrowthInterval(3);
        Torch.manualSeed(9);
        try (TensorScope s = TensorScope.open(); Linear lin = new Linear(4, 3);
             SGD opt = new SGD(lin.parameters(), SGDOptions.lr(0.01));
             GradScaler a = new GradScaler(opts); GradScaler b = new GradScaler()) {
            for (int i = 0; i < 4; i++) { // 1024 -> grows once -> 2048, tracker 1
                backward(a, lin, opt, Tensor.randn(5, 4));
                a.step(opt);
                a.update();
            }
            assertEquals(2048.0, a.scale());
            assertEquals(1, a.growthTracker());
            String text = json.writeValueAsString(a.state().toMap());
            assertTrue(text.contains("\"_growth_tracker\":1"), text);
            Map<String, Object> back = json.readValue(text, new TypeReference<Map<String, Object>>() {});
            b.loadState(GradScaler.State.fromMap(back));
            assertEquals(a.state(), b.state());
            List<Double> sa = new ArrayList<>();
            List<Double> sb = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                for (GradScaler g : new GradScaler[] {a, b}) {
                    backward(g, lin, opt, Tensor.randn(5, 4));
                    g.unscale(opt); // no step: the two scalers share the model
                    g.update();
                    (g == a ? sa : sb).add(g.scale());
                }
            }
            assertEquals(sa, sb);
            assertEquals(List.of(2048.0, 4096.0, 4096.0, 4096.0, 8192.0), sa);
        }
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> GradScaler.State.fromMap(Map.of("scale", 1.0)));
        assertTrue(missing.getMessage().contains("'growth_factor' is missing"), missing.getMessage());
        IllegalArgumentException notNumber = assertThrows(IllegalArgumentException.class, () -> GradScaler.State.fromMap(
                Map.of("scale", "big", "growth_factor", 2, "backoff_factor", 0.5, "growth_interval", 5,
                        "_growth_tracker", 0)));
        assertTrue(notNumber.getMessage().contains("'scale' is not a number"), notNumber.getMessage());
        assertThrows(IllegalArgumentException.class, () -> GradScaler.State.fromMap(Map.of()));
        assertThrows(IllegalArgumentException.class, () -> new GradScaler.State(1024, 2, 0.5, 3, 3));
    }

    @Test
    void flagsOfAnUnfinishedIterationAreFreedOnClose() {
        long before = Torch.liveHandles();
        try (TensorScope s = TensorScope.open(); Linear lin = new Linear(4, 3);
             SGD opt = new SGD(lin.parameters(), SGDOptions.lr(0.1))) {
            GradScaler scaler = new GradScaler();
            backward(scaler, lin, opt, Tensor.randn(5, 4));
            scaler.unscale(opt); // leaves a device flag until step/update
            scaler.close();
            scaler.close();
            assertThrows(IllegalStateException.class, () -> scaler.step(opt));
        }
        assertEquals(before, Torch.liveHandles());
    }

    @Test
    void optimizerParametersAreTheModulesInOrder() {
        try (TensorScope s = TensorScope.open(); Linear lin = new Linear(4, 3);
             SGD opt = new SGD(lin.parameters(), SGDOptions.lr(0.1))) {
            List<Tensor> ps = opt.parameters();
            assertEquals(2, ps.size());
            assertArrayEquals(lin.weight().toFloatArray(), ps.get(0).toFloatArray(), 0f);
            assertEquals(lin.bias().shape(), ps.get(1).shape());
        }
        try (Linear lin = new Linear(4, 3); SGD opt = new SGD(lin.parameters(), SGDOptions.lr(0.1))) {
            assertThrows(IllegalStateException.class, opt::parameters);
        }
    }

    /** The scaler works with autocast's bfloat16 on CPU (PyTorch allows a CPU GradScaler since 2.3). */
    @Test
    void worksWithCpuAutocast() {
        Torch.manualSeed(12);
        try (TensorScope s = TensorScope.open(); Linear lin = new Linear(4, 3);
             SGD opt = new SGD(lin.parameters(), SGDOptions.lr(0.1)); GradScaler scaler = new GradScaler()) {
            Tensor x = Tensor.randn(5, 4);
            Tensor target = Tensor.of(new long[] {0, 1, 2, 1, 0}, 5);
            double first = 0;
            double last = 0;
            for (int i = 0; i < 30; i++) {
                Tensor loss;
                try (Autocast a = Autocast.enter(Device.CPU, DType.BFLOAT16)) {
                    loss = F.crossEntropy(lin.forward(x), target);
                }
                opt.zeroGrad();
                scaler.scale(loss).backward();
                assertTrue(scaler.step(opt));
                scaler.update();
                last = loss.item();
                first = i == 0 ? last : first;
            }
            assertTrue(last < 0.8 * first, "loss " + first + " -> " + last);
        }
    }
}
