package dev.jtorch.nn;

import dev.jtorch.tensor.Tensor;

/**
 * Flattens dimensions {@code startDim..endDim} into one, as PyTorch's {@code nn.Flatten}
 * (default {@code 1..-1}: {@code [N, 1, 28, 28] -> [N, 784]}).
 */
public final class Flatten extends Module {
    private final int startDim;
    private final int endDim;

    /** {@code Flatten(1, -1)}: keeps the batch dimension. */
    public Flatten() {
        this(1, -1);
    }

    /** Flattens {@code startDim..endDim} (inclusive; negative counts from the end). */
    public Flatten(int startDim, int endDim) {
        this.startDim = startDim;
        this.endDim = endDim;
    }

    @Override
    public Tensor forward(Tensor input) {
        checkOpen();
        return input.flatten(startDim, endDim);
    }

    @Override
    protected String extraRepr() {
        return "start_dim=" + startDim + ", end_dim=" + endDim;
    }
}
