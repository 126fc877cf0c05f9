package dev.jtorch.nn;

import dev.jtorch.nn.functional.Reduction;
import dev.jtorch.tensor.Tensor;

/**
 * What the losses that are one functional call share ({@link L1Loss}, {@link MSELoss},
 * {@link HuberLoss}, {@link SmoothL1Loss}): the {@code forward} that runs the call with the
 * loss's reduction, its native failures prefixed with the loss's description.
 */
abstract class PointwiseLoss extends Loss {
    /** The functional form, e.g. {@code F::l1Loss}. */
    @FunctionalInterface
    interface Kernel {
        /** The loss of {@code input} against {@code target}, reduced with {@code reduction}. */
        Tensor apply(Tensor input, Tensor target, Reduction reduction);
    }

    private final Kernel kernel;

    /** A loss that runs {@code kernel} and reduces with {@code reduction}. */
    PointwiseLoss(Reduction reduction, Kernel kernel) {
        super(reduction);
        this.kernel = kernel;
    }

    /**
     * The loss of {@code input} against {@code target}.
     *
     * @return a scalar, or per-element losses with {@code NONE}; owned by the current scope
     * @throws dev.jtorch.TorchException naming the loss and both shapes if they do not broadcast
     * @throws IllegalStateException if no scope is open or the loss is closed
     */
    @Override
    public final Tensor forward(Tensor input, Tensor target) {
        checkOpen();
        return Layers.run(this, () -> kernel.apply(input, target, reduction()));
    }
}
