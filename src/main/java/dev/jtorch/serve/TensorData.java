package dev.jtorch.serve;

import dev.jtorch.DType;
import dev.jtorch.Device;
import dev.jtorch.tensor.Shape;
import dev.jtorch.tensor.Tensor;
import java.util.Arrays;
import java.util.Objects;

/**
 * A tensor as plain Java values: a dtype, a shape and the elements in row-major order, for
 * {@link Predictor#infer} and the inference protocol. No native memory is involved.
 *
 * <p>Element arrays by dtype: {@code float[]} for FLOAT32, FLOAT16 and BFLOAT16 (the half types
 * are rounded when they become tensors); {@code double[]} for FLOAT64; {@code long[]} for INT64,
 * INT32, INT16, INT8 and UINT8; {@code boolean[]} for BOOL. The array is not copied: do not change
 * it while a call uses it.
 *
 * @param dtype the element type
 * @param shape the sizes, each at least 0
 * @param values the elements: an array of the kind above, of length {@code product(shape)}
 */
public record TensorData(DType dtype, long[] shape, Object values) {
    /**
     * Checks that {@code values} is an array of the dtype's kind with one element per position.
     *
     * @throws IllegalArgumentException naming the dtype, shape and array if they do not fit
     */
    public TensorData {
        Objects.requireNonNull(dtype, "dtype");
        Objects.requireNonNull(shape, "shape");
        Objects.requireNonNull(values, "values");
        shape = shape.clone();
        long n = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " has a negative size");
            }
            n = Math.multiplyHigh(n, d) != 0 ? Long.MAX_VALUE : n * d;
        }
        Class<?> want = arrayClass(dtype);
        if (values.getClass() != want) {
            throw new IllegalArgumentException(dtype + " values must be a " + want.getSimpleName() + ", got a "
                    + values.getClass().getSimpleName());
        }
        int length = java.lang.reflect.Array.getLength(values);
        if (n != length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds " + n + " elements, but "
                    + length + " values were given");
        }
    }

    /** FLOAT32 elements. */
    public static TensorData of(float[] values, long... shape) {
        return new TensorData(DType.FLOAT32, shape, values);
    }

    /** FLOAT64 elements. */
    public static TensorData of(double[] values, long... shape) {
        return new TensorData(DType.FLOAT64, shape, values);
    }

    /** INT64 elements (e.g. token ids). */
    public static TensorData of(long[] values, long... shape) {
        return new TensorData(DType.INT64, shape, values);
    }

    /** BOOL elements (e.g. a mask). */
    public static TensorData of(boolean[] values, long... shape) {
        return new TensorData(DType.BOOL, shape, values);
    }

    /** The shape (a copy). */
    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** The number of elements. */
    public int numel() {
        return java.lang.reflect.Array.getLength(values);
    }

    /** The elements as floats: FLOAT32/FLOAT16/BFLOAT16 values. */
    public float[] floats() {
        return as(float[].class);
    }

    /** The elements as doubles: FLOAT64 values. */
    public double[] doubles() {
        return as(double[].class);
    }

    /** The elements as longs: integer values. */
    public long[] longs() {
        return as(long[].class);
    }

    /** The elements as booleans: BOOL values. */
    public boolean[] booleans() {
        return as(boolean[].class);
    }

    private <T> T as(Class<T> c) {
        if (values.getClass() != c) {
            throw new IllegalStateException(dtype + " values are a " + values.getClass().getSimpleName() + ", not a "
                    + c.getSimpleName());
        }
        return c.cast(values);
    }

    /** The Java array class that holds elements of {@code dtype}. */
    static Class<?> arrayClass(DType dtype) {
        return switch (dtype) {
            case FLOAT32, FLOAT16, BFLOAT16 -> float[].class;
            case FLOAT64 -> double[].class;
            case INT64, INT32, INT16, INT8, UINT8 -> long[].class;
            case BOOL -> boolean[].class;
        };
    }

    /** A new tensor of these values on {@code device}, owned by the current scope. */
    Tensor toTensor(Device device) {
        Shape s = Shape.of(shape);
        return switch (dtype) {
            case FLOAT32, FLOAT16, BFLOAT16 -> Tensor.of((float[]) values, s, dtype, device);
            case FLOAT64 -> Tensor.of((double[]) values, s, dtype, device);
            case INT64, INT32, INT16, INT8, UINT8 -> Tensor.of((long[]) values, s, dtype, device);
            case BOOL -> Tensor.of((boolean[]) values, shape.clone()).to(device);
        };
    }

    /** The values of {@code t} (any device), copied into Java arrays. */
    static TensorData of(Tensor t) {
        long[] shape = t.shape().toArray();
        DType d = t.dtype();
        Tensor cpu = t.device().isCuda() ? t.to(Device.CPU) : t;
        return switch (d) {
            case FLOAT32 -> new TensorData(d, shape, cpu.toFloatArray());
            case FLOAT16, BFLOAT16 -> new TensorData(d, shape, cpu.to(DType.FLOAT32).toFloatArray());
            case FLOAT64 -> new TensorData(d, shape, cpu.toDoubleArray());
            case INT64, INT32, INT16, INT8, UINT8 -> new TensorData(d, shape, cpu.to(DType.INT64).toLongArray());
            case BOOL -> new TensorData(d, shape, cpu.toBooleanArray());
        };
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorData t && t.dtype == dtype && Arrays.equals(t.shape, shape)
                && java.util.Objects.deepEquals(new Object[] {values}, new Object[] {t.values});
    }

    @Override
    public int hashCode() {
        return Objects.hash(dtype, Arrays.hashCode(shape), java.lang.reflect.Array.getLength(values));
    }

    @Override
    public String toString() {
        return "TensorData[" + dtype + " " + Arrays.toString(shape) + "]";
    }
}
