package dev.jtorch.nn;

import dev.jtorch.nn.functional.F;

/**
 * {@code log(softmax(x))} along one dimension in one stable kernel, as PyTorch's
 * {@code nn.LogSoftmax(dim)}; pairs with {@code F.nllLoss}. Any shape, no parameters.
 */
public final class LogSoftmax extends SoftmaxBase {
    /** Log-softmax along {@code dim} (negative counts from the end). */
    public LogSoftmax(int dim) {
        super(dim, F::logSoftmax);
    }
}
