package dev.jtorch.nn;

/**
 * Pads the last dimension of {@code [N, C, W]} or {@code [C, W]} with the reflection of the input about its edge (the edge itself not repeated), as PyTorch's {@code nn.ReflectionPad1d}. No parameters.
 */
public final class ReflectionPad1d extends PadNd {
    /**
     * The same amount on every side.
     *
     * @throws IllegalArgumentException if it is negative
     */
    public ReflectionPad1d(long padding) {
        super("ReflectionPad1d", 1, new long[] {padding}, "reflect", 0);
    }

    /**
     * Amounts (left, right).
     *
     * @throws IllegalArgumentException if there are not 2 or one is negative
     */
    public ReflectionPad1d(long... padding) {
        super("ReflectionPad1d", 1, padding, "reflect", 0);
    }
}
