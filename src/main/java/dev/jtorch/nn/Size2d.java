package dev.jtorch.nn;

/**
 * A (height, width) pair of a 2-D layer's option: its kernel size, stride, padding, output padding
 * or dilation, as the tuples PyTorch's {@code nn.Conv2d} and {@code nn.ConvTranspose2d} take.
 *
 * <p>A value: immutable, equal to any pair of the same two numbers. The options records that
 * hold it check its range.
 *
 * @param height the value along the rows
 * @param width the value along the columns
 */
public record Size2d(long height, long width) {
    /** {@code (v, v)}: PyTorch's single-int form of a size. */
    public static Size2d square(long v) {
        return new Size2d(v, v);
    }

    /** {@code {height, width}}, a new array the caller owns. */
    public long[] toArray() {
        return new long[] {height, width};
    }

    /** As Python prints the tuple: {@code (3, 5)}. */
    @Override
    public String toString() {
        return Layers.tuple(toArray());
    }
}
