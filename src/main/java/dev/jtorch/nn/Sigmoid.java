package dev.jtorch.nn;

import dev.jtorch.nn.functional.F;
import dev.jtorch.tensor.Tensor;

/** Elementwise {@code 1 / (1 + exp(-x))}, as PyTorch's {@code nn.Sigmoid}; any shape, no parameters. */
public final class Sigmoid extends Module {
    /** Applies the activation; the result belongs to the current scope. */
    @Override
    public Tensor forward(Tensor input) {
        checkOpen();
        return F.sigmoid(input);
    }
}
