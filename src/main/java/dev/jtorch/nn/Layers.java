package dev.jtorch.nn;

import dev.jtorch.TorchException;
import dev.jtorch.TorchOutOfMemoryException;
import dev.jtorch.tensor.Tensor;
import java.util.Arrays;
import java.util.function.Supplier;

/** Checks and messages shared by the convolution, pooling and normalisation layers. */
final class Layers {
    private Layers() {}

    /** {@code (v, v)}. */
    static long[] square(long v) {
        return new long[] {v, v};
    }

    /**
     * A validated copy of a (height, width) pair.
     *
     * @throws IllegalArgumentException naming the layer and the value
     */
    static long[] pair(long[] v, String layer, String what, long min) {
        if (v == null || v.length != 2) {
            throw new IllegalArgumentException(layer + " " + what + " must have 2 values (height, width), got "
                    + (v == null ? "null" : Arrays.toString(v)));
        }
        if (v[0] < min || v[1] < min) {
            throw new IllegalArgumentException(layer + " " + what + " must be " + (min == 0 ? "non-negative" : "positive")
                    + ", got " + Arrays.toString(v));
        }
        return v.clone();
    }

    /** {@code (a, b)} as PyTorch prints tuples. */
    static String tuple(long[] p) {
        return "(" + p[0] + ", " + p[1] + ")";
    }

    /** An int for a square pair, else a tuple, as PyTorch's layer reprs print what they were given. */
    static String size(long[] p) {
        return p[0] == p[1] ? Long.toString(p[0]) : tuple(p);
    }

    /** A double as Python prints it for usual hyper-parameters ({@code 1e-05}, {@code 0.1}). */
    static String number(double v) {
        String s = Double.toString(v);
        int e = s.indexOf('E');
        if (e < 0) {
            return s;
        }
        String mantissa = s.substring(0, e);
        if (mantissa.endsWith(".0")) {
            mantissa = mantissa.substring(0, mantissa.length() - 2);
        }
        int exp = Integer.parseInt(s.substring(e + 1));
        return mantissa + "e" + (exp < 0 ? "-" : "+") + (Math.abs(exp) < 10 ? "0" : "") + Math.abs(exp);
    }

    /** {@code True} / {@code False}. */
    static String bool(boolean b) {
        return b ? "True" : "False";
    }

    /**
     * Requires a batched {@code [N, C, H, W]} or unbatched {@code [C, H, W]} input.
     *
     * @throws TorchException naming the layer and the input shape
     */
    static void requireImage(Module layer, Tensor input) {
        int d = input.dim();
        if (d != 3 && d != 4) {
            throw new TorchException(layer + ": expected a 4-D [N, C, H, W] or 3-D [C, H, W] input, got input of shape "
                    + input.shape());
        }
    }

    /**
     * Runs a kernel and prefixes a native failure with the layer's description, so that the
     * message names the layer as well as the op and the shapes.
     */
    static Tensor run(Module layer, Supplier<Tensor> kernel) {
        try {
            return kernel.get();
        } catch (TorchOutOfMemoryException e) {
            throw e;
        } catch (TorchException e) {
            throw new TorchException(layer + ": " + e.getMessage(), e.nativeMessage(), e.detail(), e);
        }
    }

    /** Pooling pads at most half a window on each side, as PyTorch requires. */
    static void checkPoolPadding(String layer, long[] padding, long[] kernelSize) {
        for (int i = 0; i < 2; i++) {
            if (padding[i] * 2 > kernelSize[i]) {
                throw new IllegalArgumentException(layer + " padding " + tuple(padding)
                        + " should be at most half of the kernel size " + tuple(kernelSize));
            }
        }
    }
}
