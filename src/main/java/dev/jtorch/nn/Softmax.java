package dev.jtorch.nn;

import dev.jtorch.nn.functional.F;

/**
 * Softmax along one dimension, as PyTorch's {@code nn.Softmax(dim)}: probabilities that sum to 1
 * along {@code dim}. Any shape, no parameters. Do not put it before {@code F.crossEntropy}, which
 * takes logits.
 */
public final class Softmax extends SoftmaxBase {
    /** Softmax along {@code dim} (negative counts from the end). */
    public Softmax(int dim) {
        super(dim, F::softmax);
    }
}
