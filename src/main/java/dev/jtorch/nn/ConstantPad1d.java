package dev.jtorch.nn;

/**
 * Pads the last dimension of {@code [N, C, W]} or {@code [C, W]} with {@code value}, as PyTorch's {@code nn.ConstantPad1d}; a negative amount crops.
 * No parameters.
 */
public final class ConstantPad1d extends PadNd {
    /** The same amount on every side. */
    public ConstantPad1d(long padding, double value) {
        super("ConstantPad1d", 1, new long[] {padding}, "constant", value);
    }

    /**
     * Amounts (left, right).
     *
     * @throws IllegalArgumentException if there are not 2
     */
    public ConstantPad1d(long[] padding, double value) {
        super("ConstantPad1d", 1, padding, "constant", value);
    }

    /** The fill value. */
    public double value() {
        return fill();
    }

    @Override
    protected String extraRepr() {
        return "padding=" + paddingRepr() + ", value=" + Layers.number(fill());
    }
}
