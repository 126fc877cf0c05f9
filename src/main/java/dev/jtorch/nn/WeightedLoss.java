package dev.jtorch.nn;

import dev.jtorch.nn.functional.Reduction;
import dev.jtorch.tensor.Tensor;

/**
 * What the losses with an optional {@code weight} share (PyTorch's {@code _WeightedLoss}): the
 * weight, registered as the buffer {@code weight} as in PyTorch, and its accessor.
 */
abstract class WeightedLoss extends Loss {
    private Tensor weight;

    /** A loss that reduces with {@code reduction}; the subclass then calls {@link #registerWeight}. */
    WeightedLoss(Reduction reduction) {
        super(reduction);
    }

    /** Registers {@code weight} as the buffer {@code weight}, or none if it is null. */
    final void registerWeight(Tensor weight) {
        this.weight = optionalBuffer("weight", weight);
    }

    /**
     * The weight buffer (per class or per element, as the class description says), owned by this
     * loss.
     *
     * @return the buffer, or null if the loss was built without one
     * @throws IllegalStateException if the loss is closed
     */
    public final Tensor weight() {
        return whileOpen(weight);
    }
}
