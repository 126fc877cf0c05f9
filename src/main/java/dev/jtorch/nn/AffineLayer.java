package dev.jtorch.nn;

import dev.jtorch.internal.NativeModule;
import dev.jtorch.internal.NativeTensor;
import dev.jtorch.tensor.Tensor;
import java.util.Map;
import java.util.function.Supplier;

/**
 * What the layers with a learned {@code weight} and an optional {@code bias} share (PyTorch's
 * {@code self.weight} and {@code self.bias}): the two parameters, registered in that order under
 * those state-dict keys, and their accessors.
 */
abstract class AffineLayer extends WeightedLayer {
    private Tensor bias;
    /** The libtorch module whose parameters this layer adopted, or null for a layer made in Java. */
    private NativeModule nativeModule;

    /**
     * Registers {@code weight} and then {@code bias}, each made by its factory (in a scope of its
     * own) when present; an absent one reads as null.
     */
    final void registerWeightAndBias(boolean weight, Supplier<Tensor> weightInit, boolean bias,
                                     Supplier<Tensor> biasInit) {
        registerWeight(weight, weightInit);
        this.bias = bias ? registerParameter("bias", biasInit) : null;
    }

    /**
     * Adopts {@code nativeModule}'s {@code weight} and then {@code bias}, each when present; the
     * layer then owns the native module: it follows {@link #train(boolean)} and is closed with the layer.
     */
    final void adoptWeightAndBias(NativeModule nativeModule, boolean weight, boolean bias) {
        this.nativeModule = nativeModule;
        Map<String, NativeTensor> nativeParameters = nativeModule.parameters();
        adoptWeight(weight, nativeParameters);
        this.bias = bias ? adoptParameter("bias", nativeParameters.get("bias")) : null;
    }

    /** The native module whose parameters were adopted, or null. */
    final NativeModule nativeModule() {
        return nativeModule;
    }

    @Override
    final void onTrain(boolean on) {
        if (nativeModule != null) {
            nativeModule.train(on);
        }
    }

    @Override
    final void closeNative() {
        closeCaches();
        if (nativeModule != null) {
            nativeModule.close();
        }
    }

    /** Frees what a layer keeps for its fast paths besides its parameters; called once by {@code close()}. */
    void closeCaches() {}

    /** Whether the layer has a bias; unlike {@link #bias()}, also answers once the layer is closed. */
    final boolean hasBias() {
        return bias != null;
    }

    /**
     * The bias (its shape is in the class description), owned by this layer.
     *
     * @return the parameter, or null if the layer has none
     * @throws IllegalStateException if the layer is closed
     */
    public final Tensor bias() {
        return whileOpen(bias);
    }
}
