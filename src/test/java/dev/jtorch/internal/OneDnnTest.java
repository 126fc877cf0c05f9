package dev.jtorch.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jtorch.DType;
import dev.jtorch.Fixtures;
import dev.jtorch.Torch;
import dev.jtorch.autograd.InferenceMode;
import dev.jtorch.autograd.NoGrad;
import dev.jtorch.nn.functional.F;
import dev.jtorch.tensor.Tensor;
import dev.jtorch.tensor.TensorScope;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The explicit oneDNN paths ({@link OneDnn}): every convolution they take agrees with libtorch's
 * own kernel in float64, the shapes where the presets' oneDNN is wrong never take them (and the
 * per-shape check catches them when asked), and gradients never come from oneDNN's backward.
 */
class OneDnnTest {
    @BeforeAll
    static void load() {
        Torch.init();
    }

    @Test
    void channelRuleMatchesTheDiagnosis() {
        for (long c : new long[] {1, 2, 3, 4, 8, 16, 32, 48, 64, 144, 512}) {
            assertTrue(OneDnn.safeChannels(c, 7, 1), "dense, " + c + " input channels");
        }
        for (long c : new long[] {9, 15, 17, 18, 24, 33, 40, 100}) {
            assertFalse(OneDnn.safeChannels(c, 16, 1), "dense, " + c + " input channels (a partial oneDNN block)");
        }
        assertTrue(OneDnn.safeChannels(1, 1, 96), "depthwise");
        assertTrue(OneDnn.safeChannels(1, 2, 24), "depthwise x2 (one input channel per group)");
        assertFalse(OneDnn.safeChannels(24, 24, 2), "grouped, 24 input channels per group");
    }

    /**
     * The self-check that guards every new shape must reject the presets' real bug: 24 input
     * channels (a partial second oneDNN block) is wrong by tens of percent on AVX-512/AVX2/AVX.
     * When oneDNN's kernel is right here (another build or CPU) the check simply passes.
     */
    @Test
    void shapeCheckRejectsAWrongOneDnnKernel() {
        long[] x = {2, 24, 8, 8}, w = {24, 24, 3, 3}, one = {1, 1};
        int before = OneDnn.rejected();
        boolean ok = OneDnn.check(x, w, true, one, one, one, 1);
        double err = rawError(x, w);
        if (err > 1e-3) {
            assertFalse(ok, "oneDNN is wrong here (relative error " + err + ") but the check accepted it");
            assertEquals(before + 1, OneDnn.rejected());
        }
        // and the whitelist never lets this shape reach oneDNN in the first place
        try (TensorScope s = TensorScope.open(); InferenceMode g = InferenceMode.enter()) {
            int used = OneDnn.used();
            Tensor y = F.conv2d(Tensor.randn(x), Tensor.randn(w), null, one, one, one, 1);
            assertEquals(used, OneDnn.used(), "24 input channels must stay on libtorch's kernel");
            assertEquals(4, y.dim());
        }
    }

    /** Relative max error of oneDNN's raw forward at this shape (the presets' bug, measured). */
    private static double rawError(long[] xs, long[] ws) {
        try (Guards.NoGradScope g = Guards.noGrad()) {
            org.bytedeco.pytorch.Tensor x = org.bytedeco.pytorch.global.torch.randn(xs);
            org.bytedeco.pytorch.Tensor w = org.bytedeco.pytorch.global.torch.randn(ws);
            long[] one = {1, 1};
            try (org.bytedeco.pytorch.TensorOptional none = new org.bytedeco.pytorch.TensorOptional()) {
                org.bytedeco.pytorch.Tensor ref = org.bytedeco.pytorch.global.torch.conv2d(x, w, none, one, one, one, 1);
                org.bytedeco.pytorch.Tensor y = org.bytedeco.pytorch.global.torch.mkldnn_convolution(x, w, none, one, one,
                        one, 1);
                return OneDnn.maxDiff(y, ref) / ref.abs().max().item_double();
            }
        }
    }

    /**
     * The self-check this issue asks for: random shapes (channels 1-40, groups, depthwise, strides,
     * padding, dilation), each through jtorch's conv2d under InferenceMode, against float64. Any
     * shape the path takes that is wrong fails here.
     */
    @Test
    void everyConvolutionThePathTakesAgreesWithFloat64() {
        Random r = new Random(18);
        int taken = 0, total = 120, rejected = OneDnn.rejected();
        for (int t = 0; t < total; t++) {
            int g = r.nextInt(3) == 0 ? 1 + r.nextInt(4) : 1;
            int cin = g * (1 + r.nextInt(40)), cout = g * (1 + r.nextInt(40)), k = 1 + r.nextInt(4);
            if (r.nextInt(4) == 0) {
                g = cin;
                cout = cin * (1 + r.nextInt(2));
            }
            if (r.nextInt(3) == 0) { // the channel counts of real networks
                int[] common = {16, 32, 64, 96, 128};
                cin = common[r.nextInt(common.length)];
                cout = common[r.nextInt(common.length)];
                g = 1;
            }
            int dil = r.nextInt(5) == 0 ? 2 : 1;
            int hw = dil * (k - 1) + 1 + r.nextInt(8), stride = 1 + r.nextInt(2), pad = r.nextInt(k / 2 + 1);
            int n = 1 + r.nextInt(3);
            long[] st = {stride, stride}, pd = {pad, pad}, dl = {dil, dil};
            String what = "n=" + n + " cin=" + cin + " cout=" + cout + " g=" + g + " hw=" + hw + " k=" + k + " s=" + stride
                    + " p=" + pad + " d=" + dil;
            try (TensorScope s = TensorScope.open()) {
                Tensor x = Tensor.randn(n, cin, hw, hw);
                Tensor w = Tensor.randn(cout, cin / g, k, k);
                Tensor b = r.nextBoolean() ? Tensor.randn(cout) : null;
                Tensor ref = F.conv2d(x.to(DType.FLOAT64), w.to(DType.FLOAT64), b == null ? null : b.to(DType.FLOAT64), st,
                        pd, dl, g);
                int used = OneDnn.used();
                Tensor y;
                try (InferenceMode im = InferenceMode.enter()) {
                    y = F.conv2d(x, w, b, st, pd, dl, g);
                }
                taken += OneDnn.used() - used;
                double[] want = ref.toDoubleArray();
                double scale = 1e-6;
                for (double v : want) {
                    scale = Math.max(scale, Math.abs(v));
                }
                Fixtures.assertClose(want, y.toDoubleArray(), 1e-4 * scale, 1e-4, what);
            }
        }
        assertTrue(OneDnn.enabled(), "the oneDNN inference path should be on by default");
        assertTrue(taken > total / 4, "only " + taken + " of " + total + " convolutions took oneDNN");
        assertEquals(rejected, OneDnn.rejected(), "a whitelisted shape failed its check (see the error log)");
    }

    /**
     * Training takes only oneDNN's forward, and only where it is right: at shapes where its forward
     * is wrong (24 or 17 input channels) a convolution recording gradients stays on libtorch's
     * kernel; where the forward is right it takes oneDNN, including shapes where oneDNN's
     * backward-data would be wrong (8 or 17 output channels). Output and input, weight and bias
     * gradients equal float64's everywhere, for NCHW and channels-last inputs, and a channels-last
     * input keeps its layout through the layer and its gradient.
     */
    @Test
    void trainingTakesOnlyOneDnnsForwardAndItsGradientsStayRight() {
        // {N, C_in, H, W, C_out}
        int[][] shapes = {{2, 24, 8, 8, 24}, {2, 17, 6, 6, 2}, {4, 3, 9, 9, 8}, {2, 32, 8, 8, 17}, {3, 16, 7, 7, 32},
            {64, 32, 13, 13, 64}};
        int taken = 0;
        for (int[] c : shapes) {
            for (boolean channelsLast : new boolean[] {false, true}) {
                try (TensorScope s = TensorScope.open()) {
                    long[] one = {1, 1};
                    Tensor x0 = Tensor.randn(c[0], c[1], c[2], c[3]);
                    Tensor w0 = Tensor.randn(c[4], c[1], 3, 3);
                    Tensor b0 = Tensor.randn(c[4]);
                    Tensor x = x0.copy().requiresGrad(true), w = w0.copy().requiresGrad(true);
                    Tensor b = b0.copy().requiresGrad(true);
                    // a channels-last view of the same values: [N, H, W, C] permuted to [N, C, H, W]
                    Tensor in = channelsLast ? x.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2) : x;
                    int used = OneDnn.used();
                    Tensor y = F.conv2d(in, w, b, one, one, one, 1);
                    String what = java.util.Arrays.toString(c) + (channelsLast ? " channels-last" : "");
                    boolean expected = OneDnn.safeChannels(c[1], c[4], 1);
                    assertEquals(expected ? used + 1 : used, OneDnn.used(), "oneDNN taken: " + what);
                    taken += OneDnn.used() - used;
                    if (channelsLast) {
                        assertTrue(isChannelsLast(y), "the output keeps the input's channels-last layout: " + what);
                    }
                    Tensor go = Tensor.randn(y.shape().toArray());
                    y.mul(go).sum().backward();
                    Tensor x64 = x0.to(DType.FLOAT64).requiresGrad(true), w64 = w0.to(DType.FLOAT64).requiresGrad(true);
                    Tensor b64 = b0.to(DType.FLOAT64).requiresGrad(true);
                    Tensor y64 = F.conv2d(x64, w64, b64, one, one, one, 1);
                    Fixtures.assertClose(y64.toDoubleArray(), y.toDoubleArray(), 1e-4, 1e-4, "output " + what);
                    y64.mul(go.to(DType.FLOAT64)).sum().backward();
                    Fixtures.assertClose(x64.grad().toDoubleArray(), x.grad().toDoubleArray(), 1e-4, 1e-4, "input grad " + what);
                    Fixtures.assertClose(w64.grad().toDoubleArray(), w.grad().toDoubleArray(), 1e-4, 1e-4, "weight grad " + what);
                    Fixtures.assertClose(b64.grad().toDoubleArray(), b.grad().toDoubleArray(), 1e-4, 1e-4, "bias grad " + what);
                }
            }
        }
        assertEquals(8, taken, "the four shapes with right forward channels, in both layouts");
    }

    /** A 1x1 or grouped convolution recording gradients keeps libtorch's kernel (oneDNN's channels-last 1x1 and depthwise kernels were seen wrong). */
    @Test
    void trainingLeavesOneByOneAndGroupedConvolutionsNative() {
        try (TensorScope s = TensorScope.open()) {
            long[] one = {1, 1}, zero = {0, 0};
            Tensor x = Tensor.randn(2, 32, 6, 6).requiresGrad(true);
            int used = OneDnn.used();
            F.conv2d(x, Tensor.randn(16, 32, 1, 1).requiresGrad(true), null, one, zero, one, 1);
            F.conv2d(x, Tensor.randn(32, 1, 3, 3).requiresGrad(true), null, one, one, one, 32);
            F.conv2d(x, Tensor.randn(32, 16, 3, 3).requiresGrad(true), null, one, one, one, 2);
            assertEquals(used, OneDnn.used());
        }
    }

    /** Under CPU autocast a convolution is libtorch's (in bfloat16), never oneDNN's float32 call. */
    @Test
    void autocastKeepsLibtorchsConvolution() {
        try (TensorScope s = TensorScope.open();
             dev.jtorch.amp.Autocast ac = dev.jtorch.amp.Autocast.enter(dev.jtorch.Device.CPU, DType.BFLOAT16)) {
            long[] one = {1, 1};
            Tensor w = Tensor.randn(32, 16, 3, 3).requiresGrad(true);
            int used = OneDnn.used();
            Tensor y = F.conv2d(Tensor.randn(2, 16, 10, 10), w, null, one, one, one, 1);
            assertEquals(used, OneDnn.used());
            assertEquals(DType.BFLOAT16, y.dtype());
        }
    }

    private static boolean isChannelsLast(Tensor t) {
        long[] st = t.stride();
        return st[1] == 1 && st[3] == t.shape().size(1);
    }

    /** A channels-last input takes the path as an NCHW copy (oneDNN's channels-last kernels are wrong at some shapes). */
    @Test
    void channelsLastInferenceInputTakesThePathAsNchw() {
        try (TensorScope s = TensorScope.open(); InferenceMode im = InferenceMode.enter()) {
            long[] one = {1, 1};
            Tensor x = Tensor.randn(2, 7, 7, 16).permute(0, 3, 1, 2); // channels-last [2, 16, 7, 7]
            Tensor w = Tensor.randn(32, 16, 3, 3);
            int used = OneDnn.used();
            Tensor y = F.conv2d(x, w, null, one, one, one, 1);
            assertEquals(used + 1, OneDnn.used());
            Tensor ref = F.conv2d(x.to(DType.FLOAT64), w.to(DType.FLOAT64), null, one, one, one, 1);
            Fixtures.assertClose(ref.toDoubleArray(), y.toDoubleArray(), 1e-4, 1e-4, "channels-last input");
        }
    }

    /** Under NoGrad a convolution whose weight requires grad is still inference: oneDNN may take it. */
    @Test
    void noGradInferenceTakesThePath() {
        try (TensorScope s = TensorScope.open(); NoGrad g = NoGrad.enter()) {
            long[] one = {1, 1};
            Tensor w = Tensor.randn(32, 16, 3, 3).requiresGrad(true);
            int used = OneDnn.used();
            F.conv2d(Tensor.randn(2, 16, 10, 10), w, null, one, one, one, 1);
            assertEquals(used + 1, OneDnn.used());
        }
    }

    /**
     * A Conv2d layer keeps its weight reordered for oneDNN inference: results stay libtorch's, an
     * in-place change of the weight (NoGrad update, loaded state dict) is seen at the next call, a
     * weight made in inference mode is not cached, and closing the layer frees the reordered copy.
     */
    @Test
    void conv2dLayerKeepsItsReorderedWeightUntilTheWeightChanges() {
        long before = Torch.liveHandles();
        long[] one = {1, 1};
        try (dev.jtorch.nn.Conv2d conv = new dev.jtorch.nn.Conv2d(16, 32, 3, 1, 1);
             TensorScope s = TensorScope.open()) {
            conv.eval();
            Tensor x = Tensor.randn(2, 16, 9, 9);
            for (int round = 0; round < 3; round++) {
                Tensor y;
                long packed;
                try (InferenceMode im = InferenceMode.enter()) {
                    y = conv.forward(x);
                    long afterFirst = Torch.liveHandles();
                    conv.forward(x);
                    packed = Torch.liveHandles() - afterFirst;
                }
                assertEquals(1, packed, "the second call reuses the reordered weight (one handle: its output)");
                Tensor ref = F.conv2d(x.to(DType.FLOAT64), conv.weight().detach().to(DType.FLOAT64),
                        conv.bias().detach().to(DType.FLOAT64), one, one, one, 1);
                Fixtures.assertClose(ref.toDoubleArray(), y.toDoubleArray(), 1e-4, 1e-4, "round " + round);
                if (round == 0) {
                    try (NoGrad g = NoGrad.enter()) {
                        conv.weight().mul_(-0.5); // as an optimizer step would
                    }
                } else if (round == 1) {
                    java.util.Map<String, Tensor> sd = new java.util.LinkedHashMap<>();
                    sd.put("weight", Tensor.randn(32, 16, 3, 3));
                    sd.put("bias", Tensor.randn(32));
                    conv.loadStateDict(sd);
                }
            }
        }
        assertEquals(before, Torch.liveHandles(), "closing the layer frees its reordered weight");
        try (InferenceMode im = InferenceMode.enter(); TensorScope s = TensorScope.open();
             dev.jtorch.nn.Conv2d made = new dev.jtorch.nn.Conv2d(16, 32, 3, 1, 1)) { // inference-mode weights
            made.eval();
            Tensor x = Tensor.randn(1, 16, 6, 6);
            Tensor y = made.forward(x);
            Tensor ref = F.conv2d(x.to(DType.FLOAT64), made.weight().to(DType.FLOAT64),
                    made.bias().to(DType.FLOAT64), one, one, one, 1);
            Fixtures.assertClose(ref.toDoubleArray(), y.toDoubleArray(), 1e-4, 1e-4, "inference-mode weights");
        }
    }
}
