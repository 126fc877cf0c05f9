package dev.jtorch.nn;

/**
 * Pads the last three dimensions of {@code [N, C, D, H, W]} or {@code [C, D, H, W]} with {@code value}, as PyTorch's {@code nn.ConstantPad3d}; a negative amount crops.
 * No parameters.
 */
public final class ConstantPad3d extends PadNd {
    /** The same amount on every side. */
    public ConstantPad3d(long padding, double value) {
        super("ConstantPad3d", 3, new long[] {padding}, "constant", value);
    }

    /**
     * Amounts (left, right, top, bottom, front, back).
     *
     * @throws IllegalArgumentException if there are not 6
     */
    public ConstantPad3d(long[] padding, double value) {
        super("ConstantPad3d", 3, padding, "constant", value);
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
