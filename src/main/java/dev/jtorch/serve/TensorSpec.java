package dev.jtorch.serve;

import dev.jtorch.DType;
import java.util.Arrays;
import java.util.Objects;

/**
 * A model input's or output's name, dtype and shape, as a model's signature declares it; a size
 * of {@code -1} matches any size (typically the batch). A null dtype or shape matches any: what a
 * TorchScript {@code forward} declares as {@code Tensor} says no more.
 *
 * @param name the input's name, e.g. {@code "input"} or {@code "tokens"}
 * @param dtype its element type, or null for any
 * @param shape its sizes, each {@code -1} or at least 0; or null for any rank
 */
public record TensorSpec(String name, DType dtype, long[] shape) {
    /**
     * Checks the fields.
     *
     * @throws IllegalArgumentException if the name is blank or a size is below -1
     */
    public TensorSpec {
        Objects.requireNonNull(name, "name");
        if (name.isBlank()) {
            throw new IllegalArgumentException("a tensor spec needs a name");
        }
        shape = shape == null ? null : shape.clone();
        for (long d : shape == null ? new long[0] : shape) {
            if (d < -1) {
                throw new IllegalArgumentException("spec '" + name + "': size " + d + " in " + Arrays.toString(shape)
                        + " (sizes are -1 for any, or at least 0)");
            }
        }
    }

    /** A spec that any tensor named {@code name} fits. */
    public static TensorSpec any(String name) {
        return new TensorSpec(name, null, null);
    }

    /** The shape (a copy), or null for any. */
    @Override
    public long[] shape() {
        return shape == null ? null : shape.clone();
    }

    /**
     * Why {@code t} does not fit this spec, naming the input, what was expected and what was
     * received; null if it fits.
     */
    public String mismatch(TensorData t) {
        if (dtype != null && t.dtype() != dtype) {
            return "input '" + name + "': expected dtype " + dtype + ", got " + t.dtype();
        }
        if (shape == null) {
            return null;
        }
        long[] got = t.shape();
        boolean ok = got.length == shape.length;
        for (int i = 0; ok && i < shape.length; i++) {
            ok = shape[i] == -1 || shape[i] == got[i];
        }
        return ok ? null : "input '" + name + "': expected shape " + Arrays.toString(shape) + " (-1: any size), got "
                + Arrays.toString(got);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorSpec s && s.name.equals(name) && s.dtype == dtype && Arrays.equals(s.shape, shape);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, dtype, Arrays.hashCode(shape)); // hashCode(null) is 0
    }

    @Override
    public String toString() {
        return name + ": " + (dtype == null ? "any dtype" : dtype) + " " + (shape == null ? "any shape"
                : Arrays.toString(shape));
    }
}
