package dev.jtorch.nn;

import dev.jtorch.nn.functional.F;
import dev.jtorch.tensor.Tensor;

/** Elementwise hyperbolic tangent, as PyTorch's {@code nn.Tanh}; any shape, no parameters. */
public final class Tanh extends Module {
    /** Applies the activation; the result belongs to the current scope. */
    @Override
    public Tensor forward(Tensor input) {
        checkOpen();
        return F.tanh(input);
    }
}
