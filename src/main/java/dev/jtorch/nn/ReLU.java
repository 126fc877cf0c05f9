package dev.jtorch.nn;

import dev.jtorch.nn.functional.F;
import dev.jtorch.tensor.Tensor;

/** Elementwise {@code max(0, x)}, as PyTorch's {@code nn.ReLU}; no parameters, any shape. */
public final class ReLU extends Module {
    @Override
    public Tensor forward(Tensor input) {
        checkOpen();
        return F.relu(input);
    }
}
