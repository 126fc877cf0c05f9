package dev.jtorch.nn;

import dev.jtorch.tensor.Tensor;

/** Returns its input unchanged, as PyTorch's {@code nn.Identity}: a placeholder in a {@link Sequential}. */
public final class Identity extends Module {
    /** {@code nn.Identity()}. */
    public Identity() {}

    /**
     * Returns {@code input} itself (no copy); it stays owned by whoever owned it.
     *
     * @throws IllegalStateException if the layer is closed
     */
    @Override
    public Tensor forward(Tensor input) {
        checkOpen();
        return input;
    }
}
