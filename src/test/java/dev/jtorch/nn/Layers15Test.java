package dev.jtorch.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jtorch.NoLeaks;
import dev.jtorch.Torch;
import dev.jtorch.TorchException;
import dev.jtorch.nn.functional.F.InterpolationMode;
import dev.jtorch.tensor.Tensor;
import dev.jtorch.tensor.TensorScope;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Behaviour of the issue-15 layers that golden fixtures do not pin down: init distributions, dropout, errors. */
@ExtendWith(NoLeaks.class)
class Layers15Test {

    /** Asserts every value lies in [-bound, bound] and the spread is that of U(-bound, bound). */
    private static void assertUniform(Tensor t, double bound, String what) {
        double[] v = t.toDoubleArray();
        double sum = 0;
        double sq = 0;
        double max = 0;
        for (double x : v) {
            assertTrue(Math.abs(x) <= bound * (1 + 1e-6), what + ": " + x + " outside +-" + bound);
            sum += x;
            sq += x * x;
            max = Math.max(max, Math.abs(x));
        }
        double mean = sum / v.length;
        double std = Math.sqrt(sq / v.length - mean * mean);
        double expectedStd = bound / Math.sqrt(3);
        assertEquals(0, mean, 4 * expectedStd / Math.sqrt(v.length), what + " mean");
        // the sample std of U(-b, b) has a relative standard error of about 0.45/sqrt(n): allow 5 of them
        assertEquals(expectedStd, std, Math.max(0.05, 2.3 / Math.sqrt(v.length)) * expectedStd, what + " std");
        assertTrue(v.length < 500 || max > 0.95 * bound, what + ": values do not reach the bound " + bound + " (max " + max + ")");
    }

    @Test
    void convolutionsInitialiseWithPyTorchsKaimingUniformBounds() {
        Torch.manualSeed(1);
        try (TensorScope s = TensorScope.open();
             Conv1d c1 = new Conv1d(new Conv1dOptions(8, 64, 5).withGroups(2));
             ConvTranspose1d t1 = new ConvTranspose1d(new ConvTranspose1dOptions(16, 48, 3).withGroups(4));
             ConvTranspose2d t2 = new ConvTranspose2d(32, 24, 3)) {
            // fan_in = C_in/groups * k for Conv1d; C_out/groups * prod(k) for transposed convolutions
            assertUniform(c1.weight(), 1 / Math.sqrt(4 * 5), "Conv1d weight");
            assertUniform(c1.bias(), 1 / Math.sqrt(4 * 5), "Conv1d bias");
            assertArrayEquals(new long[] {64, 4, 5}, c1.weight().shape().toArray());
            assertUniform(t1.weight(), 1 / Math.sqrt(12 * 3), "ConvTranspose1d weight");
            assertArrayEquals(new long[] {16, 12, 3}, t1.weight().shape().toArray());
            assertUniform(t2.weight(), 1 / Math.sqrt(24 * 9), "ConvTranspose2d weight");
            assertUniform(t2.bias(), 1 / Math.sqrt(24 * 9), "ConvTranspose2d bias");
            assertArrayEquals(new long[] {32, 24, 3, 3}, t2.weight().shape().toArray());
        }
    }

    @Test
    void constantInitialisations() {
        try (TensorScope s = TensorScope.open(); GroupNorm g = new GroupNorm(2, 4); RMSNorm r = new RMSNorm(3, 2);
             PReLU p = new PReLU(3, 0.1)) {
            assertArrayEquals(new double[] {1, 1, 1, 1}, g.weight().toDoubleArray());
            assertArrayEquals(new double[] {0, 0, 0, 0}, g.bias().toDoubleArray());
            assertArrayEquals(new long[] {3, 2}, r.weight().shape().toArray());
            assertEquals(6, r.weight().sum().item());
            assertArrayEquals(new float[] {0.1f, 0.1f, 0.1f}, p.weight().toFloatArray());
            assertTrue(p.weight().requiresGrad());
        }
    }

    @Test
    void channelDropoutZeroesWholeChannelsInTrainingOnly() {
        Torch.manualSeed(3);
        try (TensorScope s = TensorScope.open(); Dropout2d d2 = new Dropout2d(0.5); Dropout1d d1 = new Dropout1d(0.25)) {
            Tensor x = Tensor.ones(8, 16, 3, 3);
            float[] y = d2.forward(x).toFloatArray();
            int zeroed = 0;
            for (int ch = 0; ch < 8 * 16; ch++) {
                float first = y[ch * 9];
                assertTrue(first == 0f || first == 2f, "kept channels are scaled by 1/(1-p): " + first);
                for (int i = 1; i < 9; i++) {
                    assertEquals(first, y[ch * 9 + i], "channel " + ch + " is zeroed or kept as a whole");
                }
                zeroed += first == 0f ? 1 : 0;
            }
            assertTrue(zeroed > 30 && zeroed < 98, "about half the channels are zeroed, got " + zeroed);
            Tensor seq = Tensor.ones(4, 5, 6);
            float[] z = d1.forward(seq).toFloatArray();
            for (float v : z) {
                assertTrue(v == 0f || Math.abs(v - 1 / 0.75f) < 1e-6, "Dropout1d value " + v);
            }
            d2.eval();
            d1.eval();
            assertArrayEquals(x.toFloatArray(), d2.forward(x).toFloatArray());
            assertArrayEquals(seq.toFloatArray(), d1.forward(seq).toFloatArray());
            assertThrows(IllegalArgumentException.class, () -> new Dropout1d(1.5));
        }
    }

    @Test
    void transposedConvolutionPicksTheRequestedOutputSize() {
        try (TensorScope s = TensorScope.open();
             ConvTranspose2d up = new ConvTranspose2d(new ConvTranspose2dOptions(2, 3, 3).withStride(2).withPadding(1));
             ConvTranspose1d up1 = new ConvTranspose1d(2, 3, 3, 2, 1)) {
            Tensor x = Tensor.randn(1, 2, 4, 4);
            assertArrayEquals(new long[] {1, 3, 7, 7}, up.forward(x).shape().toArray());
            assertArrayEquals(new long[] {1, 3, 8, 7}, up.forward(x, 8, 7).shape().toArray());
            assertArrayEquals(new long[] {1, 3, 8, 8}, up.forward(x, 1, 3, 8, 8).shape().toArray());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> up.forward(x, 9, 7));
            assertTrue(e.getMessage().contains("[7, 8]"), e.getMessage());
            assertArrayEquals(new long[] {3, 8}, up1.forward(Tensor.randn(2, 4), 8).shape().toArray());
        }
    }

    @Test
    void badInputsAndOptionsAreNamed() {
        try (TensorScope s = TensorScope.open(); Conv1d conv = new Conv1d(3, 4, 3); GroupNorm gn = new GroupNorm(2, 4);
             RMSNorm rms = new RMSNorm(5); PReLU pr = new PReLU(4, 0.25)) {
            TorchException e = assertThrows(TorchException.class, () -> conv.forward(Tensor.zeros(2, 5, 8)));
            assertTrue(e.getMessage().contains("Conv1d") && e.getMessage().contains("[2, 5, 8]"), e.getMessage());
            e = assertThrows(TorchException.class, () -> conv.forward(Tensor.zeros(2, 3, 2)));
            assertTrue(e.getMessage().contains("shorter than the kernel"), e.getMessage());
            e = assertThrows(TorchException.class, () -> gn.forward(Tensor.zeros(2, 3, 4)));
            assertTrue(e.getMessage().contains("GroupNorm") && e.getMessage().contains("[2, 3, 4]"), e.getMessage());
            e = assertThrows(TorchException.class, () -> rms.forward(Tensor.zeros(2, 4)));
            assertTrue(e.getMessage().contains("[5]") && e.getMessage().contains("[2, 4]"), e.getMessage());
            e = assertThrows(TorchException.class, () -> pr.forward(Tensor.zeros(2, 3)));
            assertTrue(e.getMessage().contains("PReLU"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> new GroupNorm(3, 4));
        assertThrows(IllegalArgumentException.class, () -> new Conv1dOptions(3, 4, 3).withStride(2).withPadding("same"));
        assertThrows(IllegalArgumentException.class, () -> new Conv1dOptions(3, 4, 3).withPadding("full"));
        assertThrows(IllegalArgumentException.class, () -> new ConvTranspose1dOptions(2, 2, 3).withOutputPadding(1));
        assertThrows(IllegalArgumentException.class, () -> new Upsample(null, null, InterpolationMode.NEAREST, null));
        assertThrows(IllegalArgumentException.class, () -> new Upsample(null, new double[] {2}, InterpolationMode.NEAREST, true));
        assertThrows(IllegalArgumentException.class, () -> new Unflatten(1, -1, -1));
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> new Softplus(0, 20));
        assertTrue(bad.getMessage().contains("Softplus beta must be non-zero"), bad.getMessage());
        bad = assertThrows(IllegalArgumentException.class, () -> new Softplus(1, Double.NaN));
        assertTrue(bad.getMessage().contains("Softplus threshold must be finite"), bad.getMessage());
    }

    @Test
    void identityAndUnflattenKeepData() {
        try (TensorScope s = TensorScope.open(); Identity id = new Identity(); Unflatten un = new Unflatten(1, 1, 28, 28)) {
            Tensor x = Tensor.randn(2, 784);
            assertSame(x, id.forward(x));
            assertArrayEquals(new long[] {2, 1, 28, 28}, un.forward(x).shape().toArray());
            assertThrows(TorchException.class, () -> un.forward(Tensor.zeros(2, 10)));
        }
    }

    @Test
    void layersComposeInSequential() {
        try (TensorScope s = TensorScope.open();
             Sequential net = Sequential.of(new Conv1d(2, 4, 3), new GroupNorm(2, 4), new SiLU(),
                     new ConvTranspose1d(4, 2, 3), new Mish(), new Dropout1d(0.1))) {
            net.eval();
            assertArrayEquals(new long[] {3, 2, 10}, net.forward(Tensor.randn(3, 2, 10)).shape().toArray());
            assertEquals(java.util.List.of("0.weight", "0.bias", "1.weight", "1.bias", "3.weight", "3.bias"),
                    new java.util.ArrayList<>(net.stateDict().keySet()));
        }
    }
}
