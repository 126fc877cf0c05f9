package dev.jtorch.nn.functional;

import dev.jtorch.tensor.Tensor;

/**
 * Options of {@link F#crossEntropy(Tensor, Tensor, CrossEntropyOptions)}, with PyTorch's defaults.
 *
 * <pre>{@code CrossEntropyOptions.defaults().withLabelSmoothing(0.1).withIgnoreIndex(0)}</pre>
 *
 * @param weight per-class weights {@code [C]}, or null; referenced, not owned
 * @param ignoreIndex target value that contributes no loss or gradient (default -100)
 * @param labelSmoothing in [0, 1]: the target distribution mixes this much uniform mass
 * @param reduction how per-sample losses are combined
 */
public record CrossEntropyOptions(Tensor weight, long ignoreIndex, double labelSmoothing, Reduction reduction) {
    /**
     * Checks the settings.
     *
     * @throws IllegalArgumentException if label smoothing is outside [0, 1] or reduction is null
     */
    public CrossEntropyOptions {
        if (!(labelSmoothing >= 0 && labelSmoothing <= 1)) {
            throw new IllegalArgumentException("labelSmoothing must be in [0, 1], got " + labelSmoothing);
        }
        if (reduction == null) {
            throw new IllegalArgumentException("reduction must not be null");
        }
    }

    /** No weights, ignore index -100, no smoothing, mean reduction. */
    public static CrossEntropyOptions defaults() {
        return new CrossEntropyOptions(null, -100, 0.0, Reduction.MEAN);
    }

    /** A copy with per-class weights. */
    public CrossEntropyOptions withWeight(Tensor weight) {
        return new CrossEntropyOptions(weight, ignoreIndex, labelSmoothing, reduction);
    }

    /** A copy ignoring targets equal to {@code ignoreIndex}. */
    public CrossEntropyOptions withIgnoreIndex(long ignoreIndex) {
        return new CrossEntropyOptions(weight, ignoreIndex, labelSmoothing, reduction);
    }

    /** A copy with label smoothing. */
    public CrossEntropyOptions withLabelSmoothing(double labelSmoothing) {
        return new CrossEntropyOptions(weight, ignoreIndex, labelSmoothing, reduction);
    }

    /** A copy with another reduction. */
    public CrossEntropyOptions withReduction(Reduction reduction) {
        return new CrossEntropyOptions(weight, ignoreIndex, labelSmoothing, reduction);
    }
}
