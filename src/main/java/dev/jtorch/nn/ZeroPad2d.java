package dev.jtorch.nn;

/**
 * Pads the last two dimensions of {@code [N, C, H, W]} or {@code [C, H, W]} with zeros, as PyTorch's
 * {@code nn.ZeroPad2d}; a negative amount crops. No parameters.
 */
public final class ZeroPad2d extends PadNd {
    /** The same amount on every side. */
    public ZeroPad2d(long padding) {
        super("ZeroPad2d", 2, new long[] {padding}, "constant", 0);
    }

    /**
     * Amounts (left, right, top, bottom).
     *
     * @throws IllegalArgumentException if there are not 4
     */
    public ZeroPad2d(long... padding) {
        super("ZeroPad2d", 2, padding, "constant", 0);
    }
}
