package dev.jtorch.nn;

/**
 * Options of {@link BatchNorm1d}, {@link BatchNorm2d} and {@link BatchNorm3d}, with PyTorch's
 * meaning and defaults: start from {@link #of(long)} and change fields with the {@code withX}
 * methods, as PyTorch's keyword arguments.
 *
 * <pre>{@code new BatchNorm2d(BatchNormOptions.of(64).withEps(1e-3).withMomentum(0.01))}</pre>
 *
 * @param numFeatures features (channels) {@code C}
 * @param eps the value added to the variance for stability
 * @param momentum the running-average factor, or null for a cumulative moving average
 *     (PyTorch's {@code momentum=None})
 * @param affine whether the layer has a learnable scale {@code weight} and shift {@code bias}
 * @param trackRunningStats whether the layer keeps running statistics (and uses them in eval mode)
 */
public record BatchNormOptions(long numFeatures, double eps, Double momentum, boolean affine,
                               boolean trackRunningStats) implements BatchNormOptionsCopies {
    /**
     * Checks the values.
     *
     * @throws IllegalArgumentException naming the field at fault
     */
    public BatchNormOptions {
        if (numFeatures <= 0) {
            throw new IllegalArgumentException("BatchNorm numFeatures must be positive, got " + numFeatures);
        }
        LayerInit.nonNegativeFinite(eps, "BatchNorm", "eps");
        if (momentum != null && !Double.isFinite(momentum)) {
            throw new IllegalArgumentException("BatchNorm momentum must be finite (or null for a cumulative average), got "
                    + momentum);
        }
    }

    /** PyTorch's defaults: eps 1e-5, momentum 0.1, affine, tracking running statistics. */
    public static BatchNormOptions of(long numFeatures) {
        return new BatchNormOptions(numFeatures, 1e-5, 0.1, true, true);
    }
}
