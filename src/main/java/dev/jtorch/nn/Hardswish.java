package dev.jtorch.nn;

import dev.jtorch.nn.functional.F;
import dev.jtorch.tensor.Tensor;

/**
 * The hard swish {@code x * relu6(x + 3) / 6}, as PyTorch's {@code nn.Hardswish}; any shape, no parameters.
 */
public final class Hardswish extends Module {
    /** {@code nn.Hardswish()}. */
    public Hardswish() {}

    /**
     * Applies the activation elementwise.
     *
     * @return a tensor of the input's shape, owned by the current scope
     * @throws IllegalStateException if no scope is open or the layer is closed
     */
    @Override
    public Tensor forward(Tensor input) {
        checkOpen();
        return F.hardswish(input);
    }
}
