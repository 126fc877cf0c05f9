package dev.jtorch.nn;

import dev.jtorch.nn.functional.F;
import dev.jtorch.tensor.Tensor;

/**
 * {@code log(softmax(x))} along one dimension in one stable kernel, as PyTorch's
 * {@code nn.LogSoftmax(dim)}; pairs with {@code F.nllLoss}. Any shape, no parameters.
 */
public final class LogSoftmax extends Module {
    private final int dim;

    /** Log-softmax along {@code dim} (negative counts from the end). */
    public LogSoftmax(int dim) {
        this.dim = dim;
    }

    /**
     * Applies log-softmax; the result belongs to the current scope.
     *
     * @throws dev.jtorch.TorchException if {@code dim} is out of range for the input
     */
    @Override
    public Tensor forward(Tensor input) {
        checkOpen();
        return Layers.run(this, () -> F.logSoftmax(input, dim));
    }

    /** The dimension normalised over. */
    public int dim() {
        return dim;
    }

    @Override
    protected String extraRepr() {
        return "dim=" + dim;
    }
}
