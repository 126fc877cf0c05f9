package dev.jtorch.nn;

/**
 * Pads the last three dimensions of {@code [N, C, D, H, W]} or {@code [C, D, H, W]} with the reflection of the input about its edge (the edge itself not repeated), as PyTorch's {@code nn.ReflectionPad3d}. No parameters.
 */
public final class ReflectionPad3d extends PadNd {
    /**
     * The same amount on every side.
     *
     * @throws IllegalArgumentException if it is negative
     */
    public ReflectionPad3d(long padding) {
        super("ReflectionPad3d", 3, new long[] {padding}, "reflect", 0);
    }

    /**
     * Amounts (left, right, top, bottom, front, back).
     *
     * @throws IllegalArgumentException if there are not 6 or one is negative
     */
    public ReflectionPad3d(long... padding) {
        super("ReflectionPad3d", 3, padding, "reflect", 0);
    }
}
