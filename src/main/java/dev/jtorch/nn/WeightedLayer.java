package dev.jtorch.nn;

import dev.jtorch.internal.NativeTensor;
import dev.jtorch.tensor.Tensor;
import java.util.Map;
import java.util.function.Supplier;

/**
 * What the layers with a learned {@code weight} share (PyTorch's {@code self.weight}): the
 * parameter, registered under that state-dict key, and its accessor. The weight's shape and
 * initialisation are in each layer's class description.
 */
abstract class WeightedLayer extends Module {
    private Tensor weight;

    /**
     * Registers the parameter {@code weight} made by {@code init} (in a scope of its own) when
     * {@code present}; without it {@link #weight()} is null.
     */
    final void registerWeight(boolean present, Supplier<Tensor> init) {
        weight = present ? registerParameter("weight", init) : null;
    }

    /** Adopts the native layer's {@code weight} from {@code nativeParameters} when {@code present}. */
    final void adoptWeight(boolean present, Map<String, NativeTensor> nativeParameters) {
        weight = present ? adoptParameter("weight", nativeParameters.get("weight")) : null;
    }

    /** Whether the layer has a weight; unlike {@link #weight()}, also answers once the layer is closed. */
    final boolean hasWeight() {
        return weight != null;
    }

    /**
     * The weight (its shape is in the class description), owned by this layer.
     *
     * @return the parameter, or null if the layer was built without one
     * @throws IllegalStateException if the layer is closed
     */
    public final Tensor weight() {
        return whileOpen(weight);
    }
}
