package dev.jtorch.nn;

/**
 * Pads the last two dimensions of {@code [N, C, H, W]} or {@code [C, H, W]} with {@code value}, as PyTorch's {@code nn.ConstantPad2d}; a negative amount crops.
 * No parameters.
 */
public final class ConstantPad2d extends PadNd {
    /** The same amount on every side. */
    public ConstantPad2d(long padding, double value) {
        super("ConstantPad2d", 2, new long[] {padding}, "constant", value);
    }

    /**
     * Amounts (left, right, top, bottom).
     *
     * @throws IllegalArgumentException if there are not 4
     */
    public ConstantPad2d(long[] padding, double value) {
        super("ConstantPad2d", 2, padding, "constant", value);
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
