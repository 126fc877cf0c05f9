package dev.jtorch.nn;

/**
 * Batch normalisation over a 2-D {@code [N, C]} or 3-D {@code [N, C, L]} input, as PyTorch's
 * {@code nn.BatchNorm1d}.
 *
 * <p>{@code y = (x - mean) / sqrt(var + eps) * weight + bias} per feature {@code C}. Parameters
 * {@code weight} (ones) and {@code bias} (zeros), {@code [C]}, when {@code affine}; buffers
 * {@code running_mean} (zeros), {@code running_var} (ones), {@code [C]}, and the int64 scalar
 * {@code num_batches_tracked}, when {@code trackRunningStats}: the state dict holds them under
 * these names in this order, as PyTorch's. Training mode uses batch statistics and updates the
 * running ones ({@code running = (1 - momentum) * running + momentum * batch}, unbiased batch
 * variance); eval mode uses the running statistics. Runs libtorch's own
 * {@code torch::nn::BatchNorm1d}. The layer owns its parameters and buffers until {@link #close()}.
 */
public final class BatchNorm1d extends BatchNormBase {
    /**
     * {@code nn.BatchNorm1d(numFeatures)}: eps 1e-5, momentum 0.1, affine, tracking running stats.
     *
     * @throws IllegalArgumentException if {@code numFeatures} is not positive
     */
    public BatchNorm1d(long numFeatures) {
        this(numFeatures, 1e-5, 0.1);
    }

    /**
     * Affine and tracking running stats, with the given eps and momentum.
     *
     * @throws IllegalArgumentException if a value is out of range
     */
    public BatchNorm1d(long numFeatures, double eps, double momentum) {
        this(numFeatures, eps, Double.valueOf(momentum), true, true);
    }

    /**
     * The general form.
     *
     * @param momentum the running-average factor, or null for a cumulative moving average
     *     (PyTorch's {@code momentum=None})
     * @throws IllegalArgumentException if a value is out of range
     */
    public BatchNorm1d(long numFeatures, double eps, Double momentum, boolean affine, boolean trackRunningStats) {
        super(1, numFeatures, eps, momentum, affine, trackRunningStats);
    }
}
