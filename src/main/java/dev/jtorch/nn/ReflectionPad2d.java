package dev.jtorch.nn;

/**
 * Pads the last two dimensions of {@code [N, C, H, W]} or {@code [C, H, W]} with the reflection of the input about its edge (the edge itself not repeated), as PyTorch's {@code nn.ReflectionPad2d}. No parameters.
 */
public final class ReflectionPad2d extends PadNd {
    /**
     * The same amount on every side.
     *
     * @throws IllegalArgumentException if it is negative
     */
    public ReflectionPad2d(long padding) {
        super("ReflectionPad2d", 2, new long[] {padding}, "reflect", 0);
    }

    /**
     * Amounts (left, right, top, bottom).
     *
     * @throws IllegalArgumentException if there are not 4 or one is negative
     */
    public ReflectionPad2d(long... padding) {
        super("ReflectionPad2d", 2, padding, "reflect", 0);
    }
}
