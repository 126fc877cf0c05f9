package dev.jtorch.nn;

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

    /**
     * Registers {@code weight} and then {@code bias}, each made by its factory (in a scope of its
     * own) when present; an absent one reads as null.
     */
    final void registerWeightAndBias(boolean weight, Supplier<Tensor> weightInit, boolean bias,
                                     Supplier<Tensor> biasInit) {
        registerWeight(weight, weightInit);
        this.bias = bias ? registerParameter("bias", biasInit) : null;
    }

    /** Adopts the native layer's {@code weight} and then {@code bias}, each when present. */
    final void adoptWeightAndBias(Map<String, NativeTensor> nativeParameters, boolean weight, boolean bias) {
        adoptWeight(weight, nativeParameters);
        this.bias = bias ? adoptParameter("bias", nativeParameters.get("bias")) : null;
    }

    /**
     * The bias (its shape is in the class description), owned by this layer.
     *
     * @return the parameter, or null if the layer has none
     * @throws IllegalStateException if the layer is closed
     */
    public final Tensor bias() {
        checkOpen();
        return bias;
    }
}
