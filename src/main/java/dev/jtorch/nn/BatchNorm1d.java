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
        this(BatchNormOptions.of(numFeatures));
    }

    /**
     * {@code nn.BatchNorm1d(num_features, eps, momentum, affine, track_running_stats)}, e.g.
     * {@code new BatchNorm1d(BatchNormOptions.of(64).withMomentum(null))} for a cumulative average.
     */
    public BatchNorm1d(BatchNormOptions options) {
        super(1, options);
    }
}
