package dev.jtorch.nn;

import dev.jtorch.nn.functional.F;
import dev.jtorch.tensor.Tensor;

/**
 * {@code min(max(0, x), 6)}, as PyTorch's {@code nn.ReLU6}; any shape, no parameters.
 */
public final class ReLU6 extends Module {
    /** {@code nn.ReLU6()}. */
    public ReLU6() {}

    /**
     * Applies the activation elementwise.
     *
     * @return a tensor of the input's shape, owned by the current scope
     * @throws IllegalStateException if no scope is open or the layer is closed
     */
    @Override
    public Tensor forward(Tensor input) {
        checkOpen();
        return F.relu6(input);
    }
}
