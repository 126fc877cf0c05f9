package dev.jtorch.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jtorch.NoLeaks;
import dev.jtorch.Torch;
import dev.jtorch.TorchException;
import dev.jtorch.tensor.Tensor;
import dev.jtorch.tensor.TensorScope;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The layers added after issue 15 (activations, shuffles, padding, pooling, dropouts, instance
 * normalisation): argument checks, errors and training-mode behaviour; their values and gradients
 * against PyTorch are in {@link LayersGolden15Test}.
 */
@ExtendWith(NoLeaks.class)
class AddedLayersTest {
    @Test
    void badArgumentsAreRefusedAtConstruction() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new ReflectionPad2d(1, 2, 3));
        assertTrue(e.getMessage().contains("ReflectionPad2d") && e.getMessage().contains("4 values"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new ReplicationPad1d(-1));
        assertThrows(IllegalArgumentException.class, () -> new ConstantPad3d(new long[] {1, 1}, 0));
        assertThrows(IllegalArgumentException.class, () -> new Hardtanh(1, -1));
        assertThrows(IllegalArgumentException.class, () -> new CELU(0));
        assertThrows(IllegalArgumentException.class, () -> new Hardshrink(-0.5));
        assertThrows(IllegalArgumentException.class, () -> new PixelShuffle(0));
        assertThrows(IllegalArgumentException.class, () -> new ChannelShuffle(-2));
        assertThrows(IllegalArgumentException.class, () -> new Dropout3d(1.5));
        assertThrows(IllegalArgumentException.class, () -> new AlphaDropout(-0.1));
        IllegalArgumentException pad = assertThrows(IllegalArgumentException.class, () -> new MaxPool1d(2, 2, 2, 1, false));
        assertTrue(pad.getMessage().contains("half"), pad.getMessage());
        IllegalArgumentException three = assertThrows(IllegalArgumentException.class,
                () -> new MaxPool3d(new long[] {2, 2}, null, new long[] {0, 0, 0}, new long[] {1, 1, 1}, false));
        assertTrue(three.getMessage().contains("3 values"), three.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new AvgPool3d(new long[] {2, 2, 2}, null, new long[] {0, 0, 0},
                false, true, 0L));
        assertThrows(IllegalArgumentException.class, () -> new AdaptiveAvgPool3d(0));
        assertThrows(IllegalArgumentException.class, () -> new AdaptiveMaxPool2d(3, -1));
        assertThrows(IllegalArgumentException.class, () -> new AvgPool1d(0));
    }

    @Test
    void poolingNamesTheLayerWhenTheInputDoesNotFit() {
        try (TensorScope s = TensorScope.open(); MaxPool1d p1 = new MaxPool1d(4); MaxPool3d p3 = new MaxPool3d(2);
             AdaptiveAvgPool3d a3 = new AdaptiveAvgPool3d(2)) {
            TorchException e = assertThrows(TorchException.class, () -> p1.forward(Tensor.ones(1, 2, 3)));
            assertTrue(e.getMessage().startsWith("MaxPool1d("), e.getMessage());
            assertThrows(TorchException.class, () -> p3.forward(Tensor.ones(2, 3)), "a 2-D input");
            assertThrows(TorchException.class, () -> a3.forward(Tensor.ones(3, 4)), "a 2-D input");
            // a null stride means the window
            try (MaxPool3d w = new MaxPool3d(new long[] {2, 1, 2}, null, new long[] {0, 0, 0}, new long[] {1, 1, 1}, false)) {
                assertEquals("[1, 2, 3, 2]", w.forward(Tensor.ones(1, 4, 3, 4)).shape().toString());
            }
        }
    }

    @Test
    void inputsTheLayerCannotTakeAreClearErrors() {
        try (TensorScope s = TensorScope.open(); ReflectionPad1d pad = new ReflectionPad1d(5);
             PixelShuffle shuffle = new PixelShuffle(2); GLU glu = new GLU()) {
            TorchException e = assertThrows(TorchException.class, () -> pad.forward(Tensor.ones(1, 2, 3)));
            assertTrue(e.getMessage().contains("ReflectionPad1d"), e.getMessage());
            assertThrows(TorchException.class, () -> shuffle.forward(Tensor.ones(1, 3, 2, 2)), "3 channels, r = 2");
            assertThrows(TorchException.class, () -> glu.forward(Tensor.ones(2, 3)), "an odd last dimension");
        }
    }

    @Test
    void instanceNormUpdatesItsRunningStatisticsInTrainingAndUsesThemInEval() {
        Torch.manualSeed(6);
        try (TensorScope s = TensorScope.open(); InstanceNorm2d norm = new InstanceNorm2d(2, 1e-5, 0.1, false, true)) {
            assertEquals(java.util.List.of("running_mean", "running_var", "num_batches_tracked"),
                    new java.util.ArrayList<>(norm.stateDict().keySet()));
            Tensor x = Tensor.randn(4, 2, 3, 3).mul(2).add(1);
            Tensor y = norm.forward(x);
            // each instance normalised by its own statistics
            assertEquals(0.0, y.mean(new long[] {2, 3}, false).abs().max().item(), 1e-5);
            // running statistics: the batch average of the instance statistics, at momentum 0.1
            Tensor mean = x.mean(new long[] {0, 2, 3}, false).mul(0.1);
            Tensor var = x.reshape(4, 2, 9).var(2).mean(0).mul(0.1).add(0.9);
            assertTrue(norm.runningMean().allclose(mean, 1e-5, 1e-6), norm.runningMean().toString());
            assertTrue(norm.runningVar().allclose(var, 1e-5, 1e-6));
            norm.eval();
            Tensor e = norm.forward(x);
            Tensor expected = x.sub(mean.view(1, 2, 1, 1)).div(var.add(1e-5).sqrt().view(1, 2, 1, 1));
            assertTrue(e.allclose(expected, 1e-5, 1e-5), "eval mode uses the running statistics");
        }
        try (TensorScope s = TensorScope.open(); InstanceNorm1d affine = new InstanceNorm1d(3, 1e-5, 0.1, true, false);
             InstanceNorm1d plain = new InstanceNorm1d(3)) {
            TorchException e = assertThrows(TorchException.class, () -> affine.forward(Tensor.ones(2, 4, 5)));
            assertTrue(e.getMessage().contains("num_features"), e.getMessage());
            assertEquals("[2, 4, 5]", plain.forward(Tensor.randn(2, 4, 5)).shape().toString(),
                    "without affine another channel count is accepted, as PyTorch (which warns)");
            assertThrows(TorchException.class, () -> plain.forward(Tensor.ones(2, 3, 4, 5)), "a 4-D input");
        }
    }

    @Test
    void conv3dChecksItsOptionsAndInputs() {
        assertThrows(IllegalArgumentException.class, () -> new Conv3dOptions(3, 4, 0));
        assertThrows(IllegalArgumentException.class, () -> new Conv3dOptions(3, 4, 3).withGroups(2));
        assertThrows(IllegalArgumentException.class, () -> new Conv3dOptions(4, 4, 3).withPadding(-1));
        try (TensorScope s = TensorScope.open(); Conv3d conv = new Conv3d(2, 4, 3)) {
            assertEquals("Conv3d(2, 4, kernel_size=(3, 3, 3), stride=(1, 1, 1))", conv.toString());
            TorchException e = assertThrows(TorchException.class, () -> conv.forward(Tensor.ones(1, 3, 4, 4, 4)));
            assertTrue(e.getMessage().contains("2 channels"), e.getMessage());
            assertThrows(TorchException.class, () -> conv.forward(Tensor.ones(2, 4, 4)), "a 3-D input");
            assertThrows(TorchException.class, () -> conv.forward(Tensor.ones(1, 2, 2, 4, 4)), "smaller than the kernel");
            assertEquals("[1, 4, 2, 2, 2]", conv.forward(Tensor.ones(1, 2, 4, 4, 4)).shape().toString());
        }
    }

    @Test
    void similarityAndDistanceCompareTwoTensors() {
        try (TensorScope s = TensorScope.open(); CosineSimilarity cos = new CosineSimilarity();
             PairwiseDistance dist = new PairwiseDistance(1.0, 0.0, true)) {
            Tensor a = Tensor.of(new float[] {1, 0, 0, 3, 4, 0}, 2, 3);
            Tensor b = Tensor.of(new float[] {1, 0, 0, 0, 4, 3}, 2, 3);
            assertTrue(cos.forward(a, b).allclose(Tensor.of(new float[] {1f, 16f / 25f}, 2), 1e-6, 1e-6));
            Tensor d = dist.forward(a, b);
            assertEquals("[2, 1]", d.shape().toString());
            assertTrue(d.allclose(Tensor.of(new float[] {0, 6}, 2, 1), 1e-6, 1e-6), "L1: |3| + |0| + |-3|");
            UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, () -> cos.forward(a));
            assertTrue(e.getMessage().contains("forward(x1, x2)"), e.getMessage());
            assertThrows(TorchException.class, () -> cos.forward(a, Tensor.ones(4, 5)), "shapes that do not broadcast");
            assertThrows(IllegalArgumentException.class, () -> new PairwiseDistance(-1, 1e-6, false));
        }
    }

    @Test
    void bilinearIsItsFormulaWithPyTorchsInitialisationBounds() {
        Torch.manualSeed(8);
        try (TensorScope s = TensorScope.open(); Bilinear b = new Bilinear(4, 3, 2)) {
            assertEquals("Bilinear(in1_features=4, in2_features=3, out_features=2, bias=True)", b.toString());
            assertEquals(java.util.List.of("weight", "bias"), new java.util.ArrayList<>(b.stateDict().keySet()));
            assertEquals("[2, 4, 3]", b.weight().shape().toString());
            assertTrue(b.weight().abs().max().item() <= 0.5 && b.bias().abs().max().item() <= 0.5, "U(-1/sqrt(4), 1/sqrt(4))");
            Tensor x1 = Tensor.randn(5, 4);
            Tensor x2 = Tensor.randn(5, 3);
            Tensor y = b.forward(x1, x2);
            Tensor expected = Tensor.einsum("bi,oij,bj->bo", java.util.List.of(x1, b.weight(), x2)).add(b.bias());
            assertTrue(y.allclose(expected, 1e-5, 1e-5));
            assertThrows(UnsupportedOperationException.class, () -> b.forward(x1));
            assertThrows(TorchException.class, () -> b.forward(x1, Tensor.randn(5, 4)), "in2 = 3, not 4");
        }
    }

    @Test
    void rreluDrawsSlopesInTrainingOnly() {
        Torch.manualSeed(9);
        try (TensorScope s = TensorScope.open(); RReLU r = new RReLU(0.1, 0.3)) {
            Tensor x = Tensor.ones(10_000).neg();
            Tensor slopes = r.forward(x).neg();
            assertTrue(slopes.min().item() >= 0.1 && slopes.max().item() <= 0.3);
            assertEquals(0.2, slopes.mean().item(), 0.005);
            assertTrue(slopes.std().item() > 0.05, "random slopes in training");
            r.eval();
            assertTrue(r.forward(x).allclose(Tensor.full(new long[] {10_000}, -0.2), 1e-6, 1e-7), "the mean slope in eval");
        }
    }

    @Test
    void negativeConstantPaddingCrops() {
        try (TensorScope s = TensorScope.open(); ZeroPad2d crop = new ZeroPad2d(-1, -1, 0, 0)) {
            Tensor y = crop.forward(Tensor.arange(12).reshape(1, 3, 4));
            assertEquals("[1, 3, 2]", y.shape().toString());
        }
    }

    @Test
    void channelDropoutZeroesWholeChannelsInTraining() {
        Torch.manualSeed(4);
        try (TensorScope s = TensorScope.open(); Dropout3d d = new Dropout3d(0.5)) {
            Tensor y = d.forward(Tensor.ones(8, 16, 2, 2, 2));
            Tensor perChannel = y.reshape(8, 16, 8);
            Tensor max = perChannel.amax(2);
            Tensor min = perChannel.amin(2);
            assertTrue(max.equal(min), "a channel is either all dropped or all kept");
            double kept = max.gt(0).sum().item();
            assertTrue(kept > 20 && kept < 108, "about half of 128 channels kept, got " + kept);
            assertEquals(2.0, max.max().item(), 0, "kept channels scaled by 1/(1-p)");
            d.eval();
            assertTrue(d.forward(Tensor.ones(2, 3, 1, 1, 1)).equal(Tensor.ones(2, 3, 1, 1, 1)));
        }
    }

    @Test
    void alphaDropoutKeepsSelusStatistics() {
        Torch.manualSeed(5);
        try (TensorScope s = TensorScope.open(); AlphaDropout d = new AlphaDropout(0.5)) {
            Tensor y = d.forward(Tensor.randn(200_000));
            assertEquals(0.0, y.mean().item(), 0.02);
            assertEquals(1.0, y.std().item(), 0.02);
        }
    }
}
