package dev.jtorch.tensor;

import java.util.Arrays;

/**
 * The sizes of a tensor's dimensions, outermost first; immutable.
 *
 * <p>Prints as PyTorch's {@code torch.Size} does in brief: {@code [2, 3]}.
 */
public final class Shape {
    private final long[] dims;

    private Shape(long[] dims) {
        this.dims = dims;
    }

    /**
     * A shape with the given sizes.
     *
     * @throws IllegalArgumentException if a size is negative
     */
    public static Shape of(long... dims) {
        for (long d : dims) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(dims));
            }
        }
        return new Shape(dims.clone());
    }

    static Shape wrap(long[] dims) {
        return new Shape(dims);
    }

    /** Number of dimensions (0 for a scalar). */
    public int rank() {
        return dims.length;
    }

    /**
     * Size of dimension {@code i}; negative {@code i} counts from the end.
     *
     * @throws IndexOutOfBoundsException naming the shape if {@code i} is out of range
     */
    public long size(int i) {
        int j = i < 0 ? i + dims.length : i;
        if (j < 0 || j >= dims.length) {
            throw new IndexOutOfBoundsException("dimension " + i + " out of range for shape " + this);
        }
        return dims[j];
    }

    /** Product of the sizes (1 for a scalar). */
    public long numel() {
        long n = 1;
        for (long d : dims) {
            n *= d;
        }
        return n;
    }

    /** A copy of the sizes. */
    public long[] toArray() {
        return dims.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Shape s && Arrays.equals(s.dims, dims);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(dims);
    }

    /** {@code [d0, d1, ...]}. */
    @Override
    public String toString() {
        return Arrays.toString(dims);
    }
}
