package dev.jtorch.nn;

/**
 * Batch normalisation over a 5-D {@code [N, C, D, H, W]} input, per channel, as PyTorch's
 * {@code nn.BatchNorm3d}.
 *
 * <p>{@code y = (x - mean) / sqrt(var + eps) * weight + bias} per channel {@code C}, statistics
 * over {@code N, D, H, W}. Parameters {@code weight} (ones) and {@code bias} (zeros), {@code [C]},
 * when {@code affine}; buffers {@code running_mean} (zeros), {@code running_var} (ones),
 * {@code [C]}, and the int64 scalar {@code num_batches_tracked}, when {@code trackRunningStats}:
 * the state dict holds them under these names in this order, as PyTorch's. Training mode uses
 * batch statistics and updates the running ones; eval mode uses the running statistics. Runs
 * libtorch's own {@code torch::nn::BatchNorm3d}. The layer owns its parameters and buffers until
 * {@link #close()}.
 */
public final class BatchNorm3d extends BatchNormBase {
    /**
     * {@code nn.BatchNorm3d(numFeatures)}: eps 1e-5, momentum 0.1, affine, tracking running stats.
     *
     * @throws IllegalArgumentException if {@code numFeatures} is not positive
     */
    public BatchNorm3d(long numFeatures) {
        this(BatchNormOptions.of(numFeatures));
    }

    /**
     * {@code nn.BatchNorm3d(num_features, eps, momentum, affine, track_running_stats)}, e.g.
     * {@code new BatchNorm3d(BatchNormOptions.of(64).withMomentum(null))} for a cumulative average.
     */
    public BatchNorm3d(BatchNormOptions options) {
        super(3, options);
    }
}
