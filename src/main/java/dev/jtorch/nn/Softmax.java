package dev.jtorch.nn;

import dev.jtorch.nn.functional.F;
import dev.jtorch.tensor.Tensor;

/**
 * Softmax along one dimension, as PyTorch's {@code nn.Softmax(dim)}: probabilities that sum to 1
 * along {@code dim}. Any shape, no parameters. Do not put it before {@code F.crossEntropy}, which
 * takes logits.
 */
public final class Softmax extends Module {
    private final int dim;

    /** Softmax along {@code dim} (negative counts from the end). */
    public Softmax(int dim) {
        this.dim = dim;
    }

    /**
     * Applies softmax; the result belongs to the current scope.
     *
     * @throws dev.jtorch.TorchException if {@code dim} is out of range for the input
     */
    @Override
    public Tensor forward(Tensor input) {
        checkOpen();
        return Layers.run(this, () -> F.softmax(input, dim));
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
