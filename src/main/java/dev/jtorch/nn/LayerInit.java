package dev.jtorch.nn;

import dev.jtorch.tensor.Tensor;
import java.util.Arrays;

/**
 * The default initialisations of PyTorch's layers ({@code reset_parameters}), drawn from libtorch's
 * default generator, so that {@code Torch.manualSeed} followed by a constructor gives the values
 * PyTorch gives after {@code torch.manual_seed} with the same seed.
 */
final class LayerInit {
    private LayerInit() {}

    /**
     * {@code init.kaiming_uniform_(w, a=sqrt(5))} for a weight of {@code shape} with fan-in
     * {@code fanIn}: U(-bound, bound), bound = {@code gain * sqrt(3 / fan_in)} = {@code 1/sqrt(fan_in)}.
     * Computed in PyTorch's order of floating-point operations so that the bound is the same double.
     */
    static Tensor kaimingUniformSqrt5(long[] shape, long fanIn) {
        double a = Math.sqrt(5.0);
        double gain = Math.sqrt(2.0 / (1 + a * a));
        double std = gain / Math.sqrt((double) fanIn);
        double bound = Math.sqrt(3.0) * std;
        return Tensor.empty(shape).uniform_(-bound, bound);
    }

    /** A bias U(-1/sqrt(fan_in), 1/sqrt(fan_in)), PyTorch's convolution and linear bias init (0 bound if fan-in is 0). */
    static Tensor uniformBias(long size, long fanIn) {
        double bound = fanIn > 0 ? 1 / Math.sqrt((double) fanIn) : 0;
        return Tensor.empty(size).uniform_(-bound, bound);
    }

    /** {@code k0 * k1 * ...}. */
    static long product(long[] v) {
        long p = 1;
        for (long x : v) {
            p *= x;
        }
        return p;
    }

    /** {@code (a,)} or {@code (a, b)} as Python prints tuples. */
    static String tuple(long[] v) {
        if (v.length == 1) {
            return "(" + v[0] + ",)";
        }
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < v.length; i++) {
            sb.append(i == 0 ? "" : ", ").append(v[i]);
        }
        return sb.append(')').toString();
    }

    /**
     * PyTorch's repr of a convolution's arguments: sizes as tuples, non-default options only,
     * dilation before output_padding ({@code outputPadding} is null for a forward convolution).
     */
    static String convRepr(long inChannels, long outChannels, long[] kernelSize, long[] stride, long[] padding,
                           long[] outputPadding, long groups, boolean bias, long[] dilation) {
        StringBuilder sb = new StringBuilder().append(inChannels).append(", ").append(outChannels)
                .append(", kernel_size=").append(LayerInit.tuple(kernelSize)).append(", stride=")
                .append(LayerInit.tuple(stride));
        if (Arrays.stream(padding).anyMatch(v -> v != 0)) {
            sb.append(", padding=").append(LayerInit.tuple(padding));
        }
        if (Arrays.stream(dilation).anyMatch(v -> v != 1)) {
            sb.append(", dilation=").append(LayerInit.tuple(dilation));
        }
        if (outputPadding != null && Arrays.stream(outputPadding).anyMatch(v -> v != 0)) {
            sb.append(", output_padding=").append(LayerInit.tuple(outputPadding));
        }
        if (groups != 1) {
            sb.append(", groups=").append(groups);
        }
        if (!bias) {
            sb.append(", bias=False");
        }
        return sb.toString();
    }

    /** A positive value, else an exception naming the layer and the argument. */
    static long positive(long v, String layer, String what) {
        if (v <= 0) {
            throw new IllegalArgumentException(layer + " " + what + " must be positive, got " + v);
        }
        return v;
    }

    /** A finite value, else an exception naming the layer and the argument. */
    static double finite(double v, String layer, String what) {
        if (!Double.isFinite(v)) {
            throw new IllegalArgumentException(layer + " " + what + " must be finite, got " + v);
        }
        return v;
    }

    /** A finite non-negative value, else an exception naming the layer and the argument. */
    static double nonNegativeFinite(double v, String layer, String what) {
        if (!(v >= 0) || Double.isInfinite(v)) {
            throw new IllegalArgumentException(layer + " " + what + " must be finite and non-negative, got " + v);
        }
        return v;
    }

    /** A non-negative value, else an exception naming the layer and the argument. */
    static long nonNegative(long v, String layer, String what) {
        if (v < 0) {
            throw new IllegalArgumentException(layer + " " + what + " must be non-negative, got " + v);
        }
        return v;
    }
}
