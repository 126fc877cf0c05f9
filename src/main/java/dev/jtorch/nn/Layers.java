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

    /**
     * {@code v} as a validated {@link Size2d}.
     *
     * @throws IllegalArgumentException naming the layer and the value, as {@link #pair}
     */
    static Size2d size2d(long[] v, String layer, String what, long min) {
        long[] p = pair(v, layer, what, min);
        return new Size2d(p[0], p[1]);
    }

    /**
     * {@code v}, checked as {@link #pair} checks an array.
     *
     * @throws IllegalArgumentException naming the layer and the value if it is null or below {@code min}
     */
    static Size2d size2d(Size2d v, String layer, String what, long min) {
        return size2d(v == null ? null : v.toArray(), layer, what, min);
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
        if (exp >= -4 && exp < 16) {
            // Python's repr writes these positionally (0.0001, 10000000.0) where Java switches to E
            String plain = new java.math.BigDecimal(s).stripTrailingZeros().toPlainString();
            return plain.contains(".") ? plain : plain + ".0";
        }
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

    /** Whether {@code input}'s shape ends in {@code trailing} (the normalised shape of a norm layer). */
    static boolean endsWith(Tensor input, long[] trailing) {
        int k = trailing.length;
        int d = input.dim();
        boolean ok = d >= k;
        for (int i = 0; ok && i < k; i++) {
            ok = input.size(d - k + i) == trailing[i];
        }
        return ok;
    }

    /**
     * The input checks the recurrent layers and cells share: present, {@code unbatchedDim} or
     * {@code unbatchedDim + 1} dimensions, the floating dtype and the device of {@code weight}, and
     * {@code inputSize} features in the last dimension.
     *
     * @return whether the input is batched
     * @throws IllegalArgumentException naming the layer and what does not fit
     */
    static boolean checkRecurrentInput(String name, Tensor input, int unbatchedDim, Tensor weight, long inputSize) {
        if (input == null) {
            throw new IllegalArgumentException(name + ": input must not be null");
        }
        int dim = input.dim();
        if (dim != unbatchedDim && dim != unbatchedDim + 1) {
            throw new IllegalArgumentException(name + ": expected a " + unbatchedDim + "-D (unbatched) or "
                    + (unbatchedDim + 1) + "-D (batched) input, got shape " + input.shape());
        }
        if (!input.dtype().isFloatingPoint() || input.dtype() != weight.dtype()) {
            throw new IllegalArgumentException(name + ": input dtype " + input.dtype() + " must match the parameters' dtype "
                    + weight.dtype());
        }
        if (!input.device().equals(weight.device())) {
            throw new IllegalArgumentException(name + ": input on " + input.device() + " but parameters on "
                    + weight.device());
        }
        if (input.size(-1) != inputSize) {
            throw new IllegalArgumentException(name + ": input of shape " + input.shape() + " must have input_size="
                    + inputSize + " features in its last dimension");
        }
        return dim == unbatchedDim + 1;
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
