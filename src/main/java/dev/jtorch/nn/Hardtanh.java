package dev.jtorch.nn;

import dev.jtorch.nn.functional.F;

/**
 * {@code x} clamped to {@code [minVal, maxVal]}, as PyTorch's {@code nn.Hardtanh}; any shape, no
 * parameters.
 */
public final class Hardtanh extends ElementwiseActivation {
    private final double minVal;
    private final double maxVal;

    /** {@code nn.Hardtanh()}: [-1, 1]. */
    public Hardtanh() {
        this(-1.0, 1.0);
    }

    /**
     * The given range.
     *
     * @throws IllegalArgumentException if {@code maxVal <= minVal} or a bound is NaN
     */
    public Hardtanh(double minVal, double maxVal) {
        super(x -> F.hardtanh(x, minVal, maxVal), "min_val=" + Layers.number(minVal) + ", max_val=" + Layers.number(maxVal));
        if (!(maxVal > minVal)) {
            throw new IllegalArgumentException("Hardtanh: maxVal (" + maxVal + ") must be greater than minVal (" + minVal
                    + ")");
        }
        this.minVal = minVal;
        this.maxVal = maxVal;
    }

    /** The lower bound. */
    public double minVal() {
        return minVal;
    }

    /** The upper bound. */
    public double maxVal() {
        return maxVal;
    }
}
