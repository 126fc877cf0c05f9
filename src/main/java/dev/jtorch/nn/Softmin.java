package dev.jtorch.nn;

import dev.jtorch.nn.functional.F;

/**
 * {@code softmax(-x)} along one dimension, as PyTorch's {@code nn.Softmin(dim)}: weights that sum to
 * 1 along {@code dim}, largest for the smallest inputs. Any shape, no parameters.
 */
public final class Softmin extends SoftmaxBase {
    /** Softmin along {@code dim} (negative counts from the end). */
    public Softmin(int dim) {
        super(dim, F::softmin);
    }
}
