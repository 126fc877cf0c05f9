package dev.jtorch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jtorch.amp.GradScalerOptions;
import dev.jtorch.nn.Conv1dOptions;
import dev.jtorch.nn.Conv2dOptions;
import dev.jtorch.nn.ConvTranspose1dOptions;
import dev.jtorch.nn.ConvTranspose2dOptions;
import dev.jtorch.nn.MultiheadAttentionOptions;
import dev.jtorch.nn.PaddingMode;
import dev.jtorch.nn.RNN;
import dev.jtorch.nn.RNNOptions;
import dev.jtorch.nn.Size2d;
import dev.jtorch.nn.TransformerLayerOptions;
import dev.jtorch.optim.AdagradOptions;
import dev.jtorch.optim.MultiStepLROptions;
import dev.jtorch.optim.OneCycleLR;
import dev.jtorch.optim.OneCycleLROptions;
import dev.jtorch.optim.RMSpropOptions;
import dev.jtorch.optim.ReduceLROnPlateau;
import dev.jtorch.optim.ReduceLROnPlateauOptions;
import dev.jtorch.optim.SGDOptions;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Modifier;
import java.util.List;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;

/**
 * The options records' {@code withX} copies, called from outside their packages: they are
 * generated into package-private interfaces the records implement (src/generator/resources/
 * options_copies.tsv), and must stay the records' own public methods for other packages.
 */
class OptionsCopiesTest {
    @Test
    void optimizerCopiesReplaceOnlyTheirSetting() {
        assertEquals(new SGDOptions(0.1, 0.9, 0.2, 1e-4, false),
                SGDOptions.lr(0.1).withMomentum(0.9).withDampening(0.2).withWeightDecay(1e-4));
        assertEquals(new SGDOptions(0.1, 0.9, 0, 0, true), SGDOptions.lr(0.1).withMomentum(0.9).withNesterov(true));
        assertEquals(new AdagradOptions(0.1, 1e-3, 1e-4, 0.5, 1e-9),
                AdagradOptions.lr(0.1).withLrDecay(1e-3).withWeightDecay(1e-4).withInitialAccumulatorValue(0.5)
                        .withEps(1e-9));
        assertEquals(new RMSpropOptions(1e-3, 0.9, 1e-6, 1e-4, 0.8, true),
                RMSpropOptions.lr(1e-3).withAlpha(0.9).withEps(1e-6).withWeightDecay(1e-4).withMomentum(0.8)
                        .withCentered(true));
        assertEquals(new GradScalerOptions(1024, 3, 0.25, 10, false),
                GradScalerOptions.defaults().withInitScale(1024).withGrowthFactor(3).withBackoffFactor(0.25)
                        .withGrowthInterval(10).withEnabled(false));
    }

    @Test
    void schedulerCopiesReplaceOnlyTheirSetting() {
        assertEquals(new MultiStepLROptions(List.of(3, 5), 0.5), MultiStepLROptions.of(3, 5).withGamma(0.5));
        assertEquals(new OneCycleLROptions(0.1, 100, 0.25, OneCycleLR.AnnealStrategy.LINEAR, false, 0.8, 0.9, 10, 100, true),
                OneCycleLROptions.of(0.1, 100).withPctStart(0.25).withAnnealStrategy(OneCycleLR.AnnealStrategy.LINEAR)
                        .withCycleMomentum(false).withMomentum(0.8, 0.9).withDivFactor(10).withFinalDivFactor(100)
                        .withThreePhase(true));
        assertEquals(new ReduceLROnPlateauOptions(ReduceLROnPlateau.Mode.MAX, 0.5, 3, 0.01,
                        ReduceLROnPlateau.ThresholdMode.ABS, 2, 1e-6, 1e-9),
                ReduceLROnPlateauOptions.defaults().withMode(ReduceLROnPlateau.Mode.MAX).withFactor(0.5).withPatience(3)
                        .withThreshold(0.01, ReduceLROnPlateau.ThresholdMode.ABS).withCooldown(2).withMinLr(1e-6)
                        .withEps(1e-9));
    }

    @Test
    void layerCopiesReplaceOnlyTheirSetting() {
        assertEquals(new Conv1dOptions(4, 8, 5, 2, 1, null, 3, 2, false, PaddingMode.REFLECT),
                new Conv1dOptions(4, 8, 3).withKernelSize(5).withStride(2).withPadding(1)
                        .withDilation(3).withGroups(2).withBias(false).withPaddingMode(PaddingMode.REFLECT));
        assertEquals(new Conv1dOptions(4, 8, 3, 1, 0, "valid", 1, 1, true, PaddingMode.ZEROS),
                new Conv1dOptions(4, 8, 3).withPadding(2).withPadding("valid"));
        assertEquals(new Conv2dOptions(4, 8, new Size2d(3, 5), new Size2d(2, 2), new Size2d(1, 2), new Size2d(1, 3), 2, false),
                new Conv2dOptions(4, 8, 3).withKernelSize(3, 5).withStride(2).withPadding(1, 2).withDilation(1, 3)
                        .withGroups(2).withBias(false));
        assertEquals(new Conv2dOptions(4, 8, new Size2d(5, 5), new Size2d(2, 3), new Size2d(1, 1), new Size2d(2, 2), 1, true),
                new Conv2dOptions(4, 8, 3).withKernelSize(5).withStride(2, 3).withPadding(1).withDilation(2));
        assertEquals(new ConvTranspose1dOptions(4, 8, 3, 2, 1, 1, 2, false, 2),
                new ConvTranspose1dOptions(4, 8, 3).withStride(2).withPadding(1).withOutputPadding(1).withGroups(2)
                        .withBias(false).withDilation(2));
        assertEquals(new ConvTranspose2dOptions(4, 8, Size2d.square(3), new Size2d(2, 3), new Size2d(1, 0),
                        new Size2d(1, 2), 2, false, Size2d.square(2)),
                new ConvTranspose2dOptions(4, 8, 3).withStride(2, 3).withPadding(1, 0).withOutputPadding(1, 2)
                        .withGroups(2).withBias(false).withDilation(2));
        assertEquals(new ConvTranspose2dOptions(4, 8, Size2d.square(3), Size2d.square(2), Size2d.square(1),
                        Size2d.square(1), 1, true, new Size2d(1, 2)),
                new ConvTranspose2dOptions(4, 8, 3).withStride(2).withPadding(1).withOutputPadding(1).withDilation(1, 2));
        assertEquals(new MultiheadAttentionOptions(16, 2, 0.1, false, true, true, 8L, 4L, true),
                MultiheadAttentionOptions.of(16, 2).withDropout(0.1).withBias(false).withAddBiasKv(true)
                        .withAddZeroAttn(true).withKdim(8L).withVdim(4L).withBatchFirst(true));
        assertEquals(new RNNOptions(3, 6, 2, false, true, 0.5, true, 4, RNN.Nonlinearity.RELU),
                RNNOptions.of(1, 1).withInputSize(3).withHiddenSize(6).withNumLayers(2).withBias(false)
                        .withBatchFirst(true).withDropout(0.5).withBidirectional(true).withProjSize(4)
                        .withNonlinearity(RNN.Nonlinearity.RELU));
        assertEquals(new TransformerLayerOptions(16, 2, 32, 0.0, TransformerLayerOptions.Activation.GELU, 1e-6, true,
                        true, false),
                TransformerLayerOptions.of(16, 2).withDimFeedforward(32).withDropout(0.0)
                        .withActivation(TransformerLayerOptions.Activation.GELU).withLayerNormEps(1e-6)
                        .withBatchFirst(true).withNormFirst(true).withBias(false));
    }

    @Test
    void copiesAreCheckedByTheConstructor() {
        assertThrows(IllegalArgumentException.class, () -> SGDOptions.lr(0.1).withNesterov(true));
        assertThrows(IllegalArgumentException.class, () -> GradScalerOptions.defaults().withGrowthFactor(1));
        assertThrows(IllegalArgumentException.class, () -> new Conv1dOptions(4, 8, 3).withStride(2).withPadding("same"));
        assertThrows(NullPointerException.class, () -> new Conv1dOptions(4, 8, 3).withPadding(null));
        assertThrows(IllegalArgumentException.class, () -> new Conv2dOptions(4, 8, 3).withPadding(-1));
        assertThrows(IllegalArgumentException.class, () -> RNNOptions.of(3, 4).withProjSize(4));
    }

    @Test
    void copiesArePublicMethodsOfTheRecords() throws Throwable {
        var withMomentum = SGDOptions.class.getMethod("withMomentum", double.class);
        assertTrue(Modifier.isPublic(withMomentum.getModifiers()));
        assertEquals(SGDOptions.class, withMomentum.getReturnType());
        // the declaring interface is package-private: not part of the API
        assertFalse(Modifier.isPublic(withMomentum.getDeclaringClass().getModifiers()));
        var handle = MethodHandles.publicLookup().findVirtual(SGDOptions.class, "withMomentum",
                MethodType.methodType(SGDOptions.class, double.class));
        assertEquals(SGDOptions.lr(0.1).withMomentum(0.5), handle.invoke(SGDOptions.lr(0.1), 0.5));
        BiFunction<SGDOptions, Double, SGDOptions> reference = SGDOptions::withMomentum;
        assertEquals(new SGDOptions(0.1, 0.5, 0, 0, false), reference.apply(SGDOptions.lr(0.1), 0.5));
    }
}
