package dev.jtorch.nn;

import dev.jtorch.nn.functional.F;
import dev.jtorch.tensor.Tensor;

/**
 * The Mish activation {@code x * tanh(softplus(x))}, as PyTorch's {@code nn.Mish}; any shape, no parameters.
 */
public final class Mish extends Module {
    /** {@code nn.Mish()}. */
    public Mish() {}

    /**
     * Applies the activation elementwise.
     *
     * @return a tensor of the input's shape, owned by the current scope
     * @throws IllegalStateException if no scope is open or the layer is closed
     */
    @Override
    public Tensor forward(Tensor input) {
        checkOpen();
        return F.mish(input);
    }
}
