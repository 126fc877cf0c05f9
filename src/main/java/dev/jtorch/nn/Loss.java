package dev.jtorch.nn;

import dev.jtorch.nn.functional.Reduction;
import dev.jtorch.tensor.Tensor;
import java.util.Objects;

/**
 * Base class of the loss modules ({@link MSELoss}, {@link CrossEntropyLoss}, ...), as PyTorch's
 * {@code nn.modules.loss._Loss}: a module whose {@code forward} takes the prediction and the target.
 *
 * <p>A loss takes two tensors, so the one-tensor {@link #forward(Tensor)} every module has throws;
 * call {@link #forward(Tensor, Tensor)}. Class weights given to a loss are registered buffers
 * ({@code weight}, {@code pos_weight}) as in PyTorch, so they appear in the state dict and move with
 * {@link #to}; the loss holds its own handle on the weight's data (shared with the caller's tensor,
 * as PyTorch's buffer is the same tensor) until {@link #close()}.
 */
public abstract class Loss extends Module {
    private final Reduction reduction;

    /**
     * A loss that reduces with {@code reduction}.
     *
     * @throws NullPointerException if {@code reduction} is null
     */
    protected Loss(Reduction reduction) {
        this.reduction = Objects.requireNonNull(reduction, "reduction");
    }

    /**
     * The loss of {@code input} against {@code target}.
     *
     * @return a scalar ({@code MEAN}, {@code SUM}) or per-element / per-sample losses ({@code NONE}),
     *     owned by the current scope
     * @throws dev.jtorch.TorchException or IllegalArgumentException naming the loss and the shapes
     *     if they do not fit
     * @throws IllegalStateException if no scope is open or the loss is closed
     */
    public abstract Tensor forward(Tensor input, Tensor target);

    /**
     * Always throws: a loss needs the target too.
     *
     * @throws UnsupportedOperationException naming the overload to call
     */
    @Override
    public Tensor forward(Tensor input) {
        throw new UnsupportedOperationException(getClass().getSimpleName()
                + " takes (input, target): call forward(input, target)");
    }

    /** How the per-element losses are combined. */
    public final Reduction reduction() {
        return reduction;
    }

    /** Registers {@code weight} as buffer {@code name} if it is not null; returns the buffer or null. */
    final Tensor optionalBuffer(String name, Tensor weight) {
        return weight == null ? null : registerBuffer(name, weight);
    }

    /** A 1-D per-class weight, else an exception naming the loss and the shape. */
    static Tensor requireVector(Tensor weight, String loss, String what) {
        if (weight != null && weight.dim() != 1) {
            throw new IllegalArgumentException(loss + " " + what + " must be 1-D (one value per class), got shape "
                    + weight.shape());
        }
        return weight;
    }

    /** Requires equal shapes, as PyTorch's binary cross-entropy losses do. */
    final void requireSameShape(Tensor input, Tensor target) {
        if (!input.shape().equals(target.shape())) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": target size " + target.shape()
                    + " must be the same as input size " + input.shape());
        }
    }
}
