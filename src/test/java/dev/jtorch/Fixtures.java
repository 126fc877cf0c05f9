package dev.jtorch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jtorch.tensor.Shape;
import dev.jtorch.tensor.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads the golden fixtures in {@code src/test/resources/fixtures/} (written by
 * {@code scripts/make_fixtures.py}) and compares jtorch results with them.
 *
 * <p>A fixture tensor is {@code {"shape": [...], "dtype": "float32"|"float64"|"int64", "data": [...]}},
 * row-major, with the strings {@code "inf"}, {@code "-inf"} and {@code "nan"} for non-finite values.
 * Tensors made from them belong to the current {@link dev.jtorch.tensor.TensorScope}.
 */
public final class Fixtures {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private Fixtures() {}

    // ================================================================ loading

    /** The parsed fixture file {@code fixtures/<name>} from the test classpath. */
    public static JsonNode load(String name) {
        String path = "/fixtures/" + name;
        try (InputStream in = Fixtures.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalArgumentException("fixture not found on the classpath: " + path);
            }
            return MAPPER.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read fixture " + path, e);
        }
    }

    /** The elements of a JSON array, in order. */
    public static List<JsonNode> list(JsonNode array) {
        if (!array.isArray()) {
            throw new IllegalArgumentException("not a JSON array: " + abbreviate(array));
        }
        List<JsonNode> out = new ArrayList<>();
        array.forEach(out::add);
        return out;
    }

    /** The shape of a fixture tensor ({@code []} for a scalar). */
    public static long[] shape(JsonNode tensor) {
        JsonNode s = require(tensor, "shape");
        long[] out = new long[s.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = s.get(i).asLong();
        }
        return out;
    }

    /** The fixture tensor's dtype. */
    public static DType dtype(JsonNode tensor) {
        String d = require(tensor, "dtype").asText();
        switch (d) {
            case "float32":
                return DType.FLOAT32;
            case "float64":
                return DType.FLOAT64;
            case "int64":
                return DType.INT64;
            default:
                throw new IllegalArgumentException("unknown fixture dtype " + d);
        }
    }

    /** The data of a fixture tensor as doubles; "inf", "-inf" and "nan" map to the non-finite values. */
    public static double[] values(JsonNode tensor) {
        JsonNode data = require(tensor, "data");
        double[] out = new double[data.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = number(data.get(i));
        }
        checkCount(tensor, out.length);
        return out;
    }

    /** The data of an int64 fixture tensor. */
    public static long[] longValues(JsonNode tensor) {
        JsonNode data = require(tensor, "data");
        long[] out = new long[data.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode v = data.get(i);
            if (!v.isIntegralNumber()) {
                throw new IllegalArgumentException("non-integer " + v + " in an int64 fixture tensor");
            }
            out[i] = v.asLong();
        }
        checkCount(tensor, out.length);
        return out;
    }

    /** A single-element fixture tensor's value (a 0-dim loss, for instance). */
    public static double scalar(JsonNode tensor) {
        double[] v = values(tensor);
        if (v.length != 1) {
            throw new IllegalArgumentException("expected one element, got " + v.length);
        }
        return v[0];
    }

    /**
     * The fixture tensor as a jtorch CPU tensor of the same shape and dtype, owned by the current
     * scope. Float32 data is narrowed from the exact decimal, which reproduces the stored bits.
     */
    public static Tensor tensor(JsonNode tensor) {
        DType dtype = dtype(tensor);
        Shape shape = Shape.of(shape(tensor));
        switch (dtype) {
            case FLOAT32: {
                double[] d = values(tensor);
                float[] f = new float[d.length];
                for (int i = 0; i < d.length; i++) {
                    f[i] = (float) d[i];
                }
                return Tensor.of(f, shape, DType.FLOAT32, Device.CPU);
            }
            case FLOAT64:
                return Tensor.of(values(tensor), shape, DType.FLOAT64, Device.CPU);
            case INT64:
                return Tensor.of(longValues(tensor), shape, DType.INT64, Device.CPU);
            default:
                throw new AssertionError(dtype);
        }
    }

    /** A JSON object of fixture tensors as jtorch tensors (scoped), keys in file order. */
    public static Map<String, Tensor> tensorMap(JsonNode object) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> it = object.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            out.put(e.getKey(), tensor(e.getValue()));
        }
        return out;
    }

    private static double number(JsonNode v) {
        if (v.isNumber()) {
            return v.asDouble();
        }
        if (v.isTextual()) {
            switch (v.asText()) {
                case "inf":
                    return Double.POSITIVE_INFINITY;
                case "-inf":
                    return Double.NEGATIVE_INFINITY;
                case "nan":
                    return Double.NaN;
                default:
                    break;
            }
        }
        throw new IllegalArgumentException("not a fixture number: " + v);
    }

    private static void checkCount(JsonNode tensor, int n) {
        long expected = 1;
        for (long d : shape(tensor)) {
            expected *= d;
        }
        if (expected != n) {
            throw new IllegalArgumentException("fixture tensor has " + n + " values for shape "
                    + java.util.Arrays.toString(shape(tensor)));
        }
    }

    private static JsonNode require(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null) {
            throw new IllegalArgumentException("fixture object lacks '" + field + "': " + abbreviate(node));
        }
        return v;
    }

    private static String abbreviate(JsonNode n) {
        String s = n.toString();
        return s.length() > 120 ? s.substring(0, 120) + "..." : s;
    }

    // ================================================================ comparing

    /**
     * Asserts {@code |actual - expected| <= atol + rtol * |expected|} elementwise, as
     * {@code torch.allclose}; equal infinities match, NaN matches only NaN. The failure names the
     * first bad index, both values, and how many elements are off.
     */
    public static void assertClose(double[] expected, Tensor actual, double atol, double rtol) {
        assertClose(expected, actual.toDoubleArray(), atol, rtol, "tensor of shape " + actual.shape());
    }

    /** {@link #assertClose(double[], Tensor, double, double)} that also checks shape and dtype. */
    public static void assertClose(JsonNode expected, Tensor actual, double atol, double rtol) {
        assertArrayEquals(shape(expected), actual.shape().toArray(), "shape");
        assertEquals(dtype(expected), actual.dtype(), "dtype");
        assertClose(values(expected), actual, atol, rtol);
    }

    /** Elementwise closeness of two arrays; {@code what} names them in the failure message. */
    public static void assertClose(double[] expected, double[] actual, double atol, double rtol, String what) {
        if (expected.length != actual.length) {
            fail(what + ": expected " + expected.length + " elements, got " + actual.length);
        }
        int bad = 0;
        int first = -1;
        double worst = 0;
        for (int i = 0; i < expected.length; i++) {
            if (!close(expected[i], actual[i], atol, rtol)) {
                if (first < 0) {
                    first = i;
                }
                bad++;
                worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
            }
        }
        if (first >= 0) {
            fail(String.format(Locale.ROOT,
                    "%s: %d of %d elements differ (atol=%g, rtol=%g); first at index %d: expected %s, got %s"
                            + " (diff %s); largest diff %s",
                    what, bad, expected.length, atol, rtol, first, repr(expected[first]), repr(actual[first]),
                    repr(Math.abs(actual[first] - expected[first])), repr(worst)));
        }
    }

    /** Whether {@code a} is within {@code atol + rtol * |e|} of {@code e}; equal infinities and NaNs match. */
    public static boolean close(double e, double a, double atol, double rtol) {
        if (Double.isNaN(e) || Double.isNaN(a)) {
            return Double.isNaN(e) && Double.isNaN(a);
        }
        if (Double.isInfinite(e) || Double.isInfinite(a)) {
            return e == a;
        }
        return Math.abs(a - e) <= atol + rtol * Math.abs(e);
    }

    /** Asserts that no element of {@code t} is NaN. */
    public static void assertNoNaN(Tensor t, String what) {
        double[] v = t.toDoubleArray();
        for (int i = 0; i < v.length; i++) {
            int idx = i;
            assertTrue(!Double.isNaN(v[i]), () -> what + ": NaN at index " + idx);
        }
    }

    /** Asserts that every element of {@code t} is finite. */
    public static void assertAllFinite(Tensor t, String what) {
        double[] v = t.toDoubleArray();
        for (int i = 0; i < v.length; i++) {
            int idx = i;
            double x = v[i];
            assertTrue(Double.isFinite(x), () -> what + ": non-finite " + x + " at index " + idx);
        }
    }

    private static String repr(double v) {
        return Double.toString(v);
    }
}
