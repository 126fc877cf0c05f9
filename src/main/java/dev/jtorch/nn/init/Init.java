package dev.jtorch.nn.init;

import dev.jtorch.autograd.NoGrad;
import dev.jtorch.tensor.Tensor;
import dev.jtorch.tensor.TensorScope;
import java.util.function.Consumer;

/**
 * PyTorch's {@code torch.nn.init}: fills a tensor (usually a parameter) in place, without
 * recording autograd history, and returns it.
 *
 * <pre>{@code
 * model.apply(m -> {
 *     if (m instanceof Linear l) {
 *         Init.xavierUniform_(l.weight());
 *         Init.zeros_(l.bias());
 *     }
 * });
 * }</pre>
 *
 * <p>Formulas, defaults and the order of random draws are PyTorch's, so with the same seed
 * ({@code Torch.manualSeed}) a CPU tensor gets the values PyTorch gives it. Every method works
 * with or without a scope open (it runs in a scope of its own) and returns {@code tensor} itself;
 * ownership does not change.
 */
public final class Init {
    private Init() {}

    /** Runs {@code fill} on {@code t} under no-grad in a scope of its own; returns {@code t}. */
    private static Tensor inPlace(Tensor t, Consumer<Tensor> fill) {
        if (t == null) {
            throw new IllegalArgumentException("nn.init: tensor is null");
        }
        try (TensorScope s = TensorScope.open(); NoGrad g = NoGrad.enter()) {
            fill.accept(t);
        }
        return t;
    }

    // ================================================================ gains and fans

    /** {@link #calculateGain(String, double)} with PyTorch's default {@code param} (0.01 for leaky_relu). */
    public static double calculateGain(String nonlinearity) {
        return calculateGain(nonlinearity, Double.NaN);
    }

    /**
     * The recommended gain for {@code nonlinearity}, as PyTorch's {@code calculate_gain}: 1 for
     * {@code linear}, {@code conv1d/2d/3d}, {@code conv_transpose1d/2d/3d} and {@code sigmoid};
     * 5/3 for {@code tanh}; sqrt(2) for {@code relu}; sqrt(2 / (1 + slope^2)) for
     * {@code leaky_relu}; 3/4 for {@code selu}.
     *
     * @param param the negative slope of {@code leaky_relu} ({@code NaN} for the default 0.01)
     * @throws IllegalArgumentException for another name
     */
    public static double calculateGain(String nonlinearity, double param) {
        switch (nonlinearity) {
            case "linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d",
                    "sigmoid":
                return 1.0;
            case "tanh":
                return 5.0 / 3;
            case "relu":
                return Math.sqrt(2.0);
            case "leaky_relu": {
                double slope = Double.isNaN(param) ? 0.01 : param;
                return Math.sqrt(2.0 / (1 + slope * slope));
            }
            case "selu":
                return 3.0 / 4;
            default:
                throw new IllegalArgumentException("Unsupported nonlinearity '" + nonlinearity + "' (linear, conv1d,"
                        + " conv2d, conv3d, conv_transpose1d/2d/3d, sigmoid, tanh, relu, leaky_relu, selu)");
        }
    }

    /**
     * {@code {fan_in, fan_out}} of a weight: {@code size(1) * receptive field} and
     * {@code size(0) * receptive field}, the receptive field being the product of the dimensions
     * after the second.
     *
     * @throws IllegalArgumentException if {@code tensor} has fewer than 2 dimensions
     */
    public static long[] calculateFanInAndFanOut(Tensor tensor) {
        long[] shape = tensor.shape().toArray();
        if (shape.length < 2) {
            throw new IllegalArgumentException("Fan in and fan out can not be computed for tensor with fewer than 2"
                    + " dimensions (shape " + tensor.shape() + ")");
        }
        long receptive = 1;
        for (int i = 2; i < shape.length; i++) {
            receptive *= shape[i];
        }
        return new long[] {shape[1] * receptive, shape[0] * receptive};
    }

    private static long fan(Tensor tensor, FanMode mode) {
        long[] f = calculateFanInAndFanOut(tensor);
        return mode == FanMode.FAN_IN ? f[0] : f[1];
    }

    // ================================================================ plain fills

    /** Fills with U(a, b). */
    public static Tensor uniform_(Tensor tensor, double a, double b) {
        return inPlace(tensor, t -> t.uniform_(a, b));
    }

    /** Fills with U(0, 1). */
    public static Tensor uniform_(Tensor tensor) {
        return uniform_(tensor, 0.0, 1.0);
    }

    /** Fills with N(mean, std^2). */
    public static Tensor normal_(Tensor tensor, double mean, double std) {
        return inPlace(tensor, t -> t.normal_(mean, std));
    }

    /** Fills with N(0, 1). */
    public static Tensor normal_(Tensor tensor) {
        return normal_(tensor, 0.0, 1.0);
    }

    /**
     * Fills with N(mean, std^2) truncated to [a, b] (inverse-CDF sampling, as PyTorch).
     *
     * @throws IllegalArgumentException if {@code a >= b} or {@code std <= 0}
     */
    public static Tensor truncNormal_(Tensor tensor, double mean, double std, double a, double b) {
        if (!(a < b) || !(std > 0)) {
            throw new IllegalArgumentException("truncNormal_: need a < b and std > 0, got a=" + a + ", b=" + b
                    + ", std=" + std);
        }
        double l = normCdf((a - mean) / std);
        double u = normCdf((b - mean) / std);
        return inPlace(tensor, t -> {
            t.uniform_(2 * l - 1, 2 * u - 1);
            t.erfinv_();
            t.mul_(std * Math.sqrt(2.0));
            t.add_(mean);
            t.clamp_(a, b);
        });
    }

    /** {@link #truncNormal_(Tensor, double, double, double, double)} with mean 0, std 1, [-2, 2]. */
    public static Tensor truncNormal_(Tensor tensor) {
        return truncNormal_(tensor, 0.0, 1.0, -2.0, 2.0);
    }

    private static double normCdf(double x) {
        return (1.0 + erf(x / Math.sqrt(2.0))) / 2.0;
    }

    /** erf to about 1e-13 (Java has none): a Taylor series near 0, erfc's continued fraction beyond. */
    private static double erf(double x) {
        double ax = Math.abs(x);
        double r;
        if (ax < 2.5) {
            // Taylor series: erf(x) = 2/sqrt(pi) * sum (-1)^n x^(2n+1) / (n! (2n+1))
            double sum = 0;
            double term = ax;
            for (int n = 0; n < 200; n++) {
                double add = term / (2 * n + 1);
                sum += add;
                if (Math.abs(add) < 1e-17 * Math.abs(sum)) {
                    break;
                }
                term *= -ax * ax / (n + 1);
            }
            r = 2 / Math.sqrt(Math.PI) * sum;
        } else {
            // continued fraction for erfc
            double f = 0;
            for (int n = 60; n >= 1; n--) {
                f = n / 2.0 / (ax + f);
            }
            r = 1 - Math.exp(-ax * ax) / Math.sqrt(Math.PI) / (ax + f);
        }
        return x < 0 ? -r : r;
    }

    /** Fills with {@code value}. */
    public static Tensor constant_(Tensor tensor, double value) {
        return inPlace(tensor, t -> t.fill_(value));
    }

    /** Fills with ones. */
    public static Tensor ones_(Tensor tensor) {
        return constant_(tensor, 1.0);
    }

    /** Fills with zeros. */
    public static Tensor zeros_(Tensor tensor) {
        return inPlace(tensor, Tensor::zero_);
    }

    /**
     * Fills a 2-D tensor with the identity (ones on the diagonal), as PyTorch's {@code eye_}.
     *
     * @throws IllegalArgumentException if {@code tensor} is not 2-D
     */
    public static Tensor eye_(Tensor tensor) {
        if (tensor.dim() != 2) {
            throw new IllegalArgumentException("Only tensors with 2 dimensions are supported, got shape "
                    + tensor.shape());
        }
        return inPlace(tensor, t -> t.copy_(Tensor.eye(t.size(0), t.size(1), t.dtype(), t.device())));
    }

    /** {@link #dirac_(Tensor, int)} with one group. */
    public static Tensor dirac_(Tensor tensor) {
        return dirac_(tensor, 1);
    }

    /**
     * Fills a 3-, 4- or 5-D convolution weight with the Dirac delta, preserving the identity of the
     * inputs in each of {@code groups} groups, as PyTorch's {@code dirac_}.
     *
     * @throws IllegalArgumentException if the tensor is not 3-5-D or {@code size(0)} is not
     *     divisible by {@code groups}
     */
    public static Tensor dirac_(Tensor tensor, int groups) {
        int dims = tensor.dim();
        if (dims < 3 || dims > 5) {
            throw new IllegalArgumentException("Only tensors with 3, 4, or 5 dimensions are supported, got shape "
                    + tensor.shape());
        }
        long[] shape = tensor.shape().toArray();
        if (groups <= 0 || shape[0] % groups != 0) {
            throw new IllegalArgumentException("dim 0 (" + shape[0] + ") must be divisible by groups (" + groups + ")");
        }
        long perGroup = shape[0] / groups;
        long minDim = Math.min(perGroup, shape[1]);
        return inPlace(tensor, t -> {
            t.zero_();
            for (long g = 0; g < groups; g++) {
                for (long d = 0; d < minDim; d++) {
                    Tensor x = t.select(0, g * perGroup + d).select(0, d);
                    for (int k = 2; k < dims; k++) {
                        x = x.select(0, shape[k] / 2);
                    }
                    x.fill_(1.0);
                }
            }
        });
    }

    // ================================================================ scaled fills

    /** {@link #xavierUniform_(Tensor, double)} with gain 1. */
    public static Tensor xavierUniform_(Tensor tensor) {
        return xavierUniform_(tensor, 1.0);
    }

    /**
     * Glorot uniform: U(-a, a) with {@code a = gain * sqrt(6 / (fan_in + fan_out))}.
     *
     * @throws IllegalArgumentException if {@code tensor} has fewer than 2 dimensions
     */
    public static Tensor xavierUniform_(Tensor tensor, double gain) {
        long[] f = calculateFanInAndFanOut(tensor);
        double std = gain * Math.sqrt(2.0 / (f[0] + f[1]));
        double a = Math.sqrt(3.0) * std;
        return uniform_(tensor, -a, a);
    }

    /** {@link #xavierNormal_(Tensor, double)} with gain 1. */
    public static Tensor xavierNormal_(Tensor tensor) {
        return xavierNormal_(tensor, 1.0);
    }

    /**
     * Glorot normal: N(0, std^2) with {@code std = gain * sqrt(2 / (fan_in + fan_out))}.
     *
     * @throws IllegalArgumentException if {@code tensor} has fewer than 2 dimensions
     */
    public static Tensor xavierNormal_(Tensor tensor, double gain) {
        long[] f = calculateFanInAndFanOut(tensor);
        return normal_(tensor, 0.0, gain * Math.sqrt(2.0 / (f[0] + f[1])));
    }

    /** {@link #kaimingUniform_(Tensor, double, FanMode, String)} with a=0, fan_in, leaky_relu. */
    public static Tensor kaimingUniform_(Tensor tensor) {
        return kaimingUniform_(tensor, 0.0, FanMode.FAN_IN, "leaky_relu");
    }

    /** {@link #kaimingUniform_(Tensor, double, FanMode, String)} with fan_in and leaky_relu. */
    public static Tensor kaimingUniform_(Tensor tensor, double a) {
        return kaimingUniform_(tensor, a, FanMode.FAN_IN, "leaky_relu");
    }

    /**
     * He uniform: U(-bound, bound) with {@code bound = gain * sqrt(3 / fan)}, the gain that of
     * {@code nonlinearity} with parameter {@code a} (PyTorch's Linear and Conv layers use
     * {@code a = sqrt(5)}).
     *
     * @throws IllegalArgumentException if {@code tensor} has fewer than 2 dimensions or the
     *     nonlinearity is unknown
     */
    public static Tensor kaimingUniform_(Tensor tensor, double a, FanMode mode, String nonlinearity) {
        double gain = calculateGain(nonlinearity, a);
        double bound = Math.sqrt(3.0) * gain / Math.sqrt(fan(tensor, mode));
        return uniform_(tensor, -bound, bound);
    }

    /** {@link #kaimingNormal_(Tensor, double, FanMode, String)} with a=0, fan_in, leaky_relu. */
    public static Tensor kaimingNormal_(Tensor tensor) {
        return kaimingNormal_(tensor, 0.0, FanMode.FAN_IN, "leaky_relu");
    }

    /**
     * He normal: N(0, std^2) with {@code std = gain / sqrt(fan)}.
     *
     * @throws IllegalArgumentException if {@code tensor} has fewer than 2 dimensions or the
     *     nonlinearity is unknown
     */
    public static Tensor kaimingNormal_(Tensor tensor, double a, FanMode mode, String nonlinearity) {
        double gain = calculateGain(nonlinearity, a);
        return normal_(tensor, 0.0, gain / Math.sqrt(fan(tensor, mode)));
    }

    /** {@link #orthogonal_(Tensor, double)} with gain 1. */
    public static Tensor orthogonal_(Tensor tensor) {
        return orthogonal_(tensor, 1.0);
    }

    /**
     * A (semi-)orthogonal matrix from the QR decomposition of a normal sample, signs fixed by
     * R's diagonal, times {@code gain}; trailing dimensions are flattened.
     *
     * @throws IllegalArgumentException if {@code tensor} has fewer than 2 dimensions
     */
    public static Tensor orthogonal_(Tensor tensor, double gain) {
        if (tensor.dim() < 2) {
            throw new IllegalArgumentException("Only tensors with 2 or more dimensions are supported, got shape "
                    + tensor.shape());
        }
        if (tensor.numel() == 0) {
            return tensor;
        }
        return inPlace(tensor, t -> {
            long rows = t.size(0);
            long cols = t.numel() / rows;
            Tensor flat = Tensor.randn(new long[] {rows, cols}, t.dtype(), t.device());
            if (rows < cols) {
                flat = flat.t();
            }
            Tensor.QR qr = dev.jtorch.tensor.Linalg.qr(flat);
            Tensor q = qr.Q().mul(qr.R().diag(0).sign());
            if (rows < cols) {
                q = q.t();
            }
            t.viewAs(q).copy_(q);
            t.mul_(gain);
        });
    }

    /**
     * A sparse 2-D matrix: N(0, std^2) with a fraction {@code sparsity} of each column's entries
     * zero, as PyTorch's {@code sparse_}.
     *
     * @throws IllegalArgumentException if {@code tensor} is not 2-D or sparsity is outside [0, 1]
     */
    public static Tensor sparse_(Tensor tensor, double sparsity, double std) {
        if (tensor.dim() != 2) {
            throw new IllegalArgumentException("Only tensors with 2 dimensions are supported, got shape "
                    + tensor.shape());
        }
        if (!(sparsity >= 0 && sparsity <= 1)) {
            throw new IllegalArgumentException("sparse_: sparsity must be in [0, 1], got " + sparsity);
        }
        long rows = tensor.size(0);
        long cols = tensor.size(1);
        long zeros = (long) Math.ceil(sparsity * rows);
        return inPlace(tensor, t -> {
            t.normal_(0.0, std);
            for (long c = 0; c < cols; c++) {
                Tensor idx = Tensor.randperm(rows).narrow(0, 0, zeros);
                t.select(1, c).indexFill_(0, idx, 0.0);
            }
        });
    }

    /** {@link #sparse_(Tensor, double, double)} with std 0.01. */
    public static Tensor sparse_(Tensor tensor, double sparsity) {
        return sparse_(tensor, sparsity, 0.01);
    }
}
