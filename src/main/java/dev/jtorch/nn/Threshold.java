package dev.jtorch.nn;

import dev.jtorch.nn.functional.F;

/**
 * {@code x} where {@code x > threshold}, else {@code value}, as PyTorch's {@code nn.Threshold}; any
 * shape, no parameters.
 */
public final class Threshold extends ElementwiseActivation {
    private final double threshold;
    private final double value;

    /** {@code nn.Threshold(threshold, value)}. */
    public Threshold(double threshold, double value) {
        super(x -> F.threshold(x, threshold, value),
                "threshold=" + Layers.number(threshold) + ", value=" + Layers.number(value));
        this.threshold = threshold;
        this.value = value;
    }

    /** Elements at or below this are replaced. */
    public double threshold() {
        return threshold;
    }

    /** The replacement. */
    public double value() {
        return value;
    }
}
