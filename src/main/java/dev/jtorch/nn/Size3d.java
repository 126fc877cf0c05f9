package dev.jtorch.nn;

/**
 * A (depth, height, width) triple of a 3-D layer's option: its kernel size, stride, padding or
 * dilation, as the tuples PyTorch's {@code nn.Conv3d} takes.
 *
 * <p>A value: immutable, equal to any triple of the same three numbers. The options records that
 * hold it check its range.
 *
 * @param depth the value along the frames (or slices)
 * @param height the value along the rows
 * @param width the value along the columns
 */
public record Size3d(long depth, long height, long width) {
    /** {@code (v, v, v)}: PyTorch's single-int form of a size. */
    public static Size3d cube(long v) {
        return new Size3d(v, v, v);
    }

    /** {@code {depth, height, width}}, a new array the caller owns. */
    public long[] toArray() {
        return new long[] {depth, height, width};
    }

    /** As Python prints the tuple: {@code (3, 5, 5)}. */
    @Override
    public String toString() {
        return "(" + depth + ", " + height + ", " + width + ")";
    }
}
