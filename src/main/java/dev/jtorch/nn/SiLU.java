package dev.jtorch.nn;

import dev.jtorch.nn.functional.F;
import dev.jtorch.tensor.Tensor;

/**
 * The sigmoid linear unit (swish) {@code x * sigmoid(x)}, as PyTorch's {@code nn.SiLU}; any shape, no parameters.
 */
public final class SiLU extends Module {
    /** {@code nn.SiLU()}. */
    public SiLU() {}

    /**
     * Applies the activation elementwise.
     *
     * @return a tensor of the input's shape, owned by the current scope
     * @throws IllegalStateException if no scope is open or the layer is closed
     */
    @Override
    public Tensor forward(Tensor input) {
        checkOpen();
        return F.silu(input);
    }
}
