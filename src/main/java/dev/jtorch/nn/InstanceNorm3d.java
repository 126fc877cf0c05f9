package dev.jtorch.nn;

/**
 * Instance normalisation of {@code [N, C, D, H, W]} or {@code [C, D, H, W]}, as PyTorch's {@code nn.InstanceNorm3d}: each sample's channel is
 * normalised to zero mean and unit (biased) variance over its own positions.
 *
 * <p>With {@code affine}: parameters {@code weight} (ones) and {@code bias} (zeros), {@code [C]}.
 * With {@code trackRunningStats}: buffers {@code running_mean} (zeros), {@code running_var} (ones)
 * and {@code num_batches_tracked}, in PyTorch's state-dict order; training mode updates the running
 * statistics and eval mode uses them. The layer owns its tensors until {@link #close()}.
 */
public final class InstanceNorm3d extends InstanceNormBase {
    /**
     * {@code nn.InstanceNorm3d(numFeatures)}: eps 1e-5, momentum 0.1, no affine, no running statistics.
     *
     * @throws IllegalArgumentException if {@code numFeatures} is not positive
     */
    public InstanceNorm3d(long numFeatures) {
        this(numFeatures, 1e-5, 0.1, false, false);
    }

    /**
     * {@code nn.InstanceNorm3d(num_features, eps, momentum, affine, track_running_stats)}.
     *
     * @param momentum the running-average factor, or null (the running statistics are then not updated)
     * @throws IllegalArgumentException if {@code numFeatures} is not positive or eps/momentum is
     *     negative or not finite
     */
    public InstanceNorm3d(long numFeatures, double eps, Double momentum, boolean affine, boolean trackRunningStats) {
        super("InstanceNorm3d", 3, numFeatures, eps, momentum, affine, trackRunningStats);
    }
}
