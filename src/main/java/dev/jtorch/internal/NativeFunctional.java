package dev.jtorch.internal;

import java.util.Arrays;
import org.bytedeco.pytorch.LongOptional;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;

/**
 * libtorch's convolution, pooling, dropout and activation kernels ({@code at::conv2d},
 * {@code at::max_pool2d}, ...) on {@link NativeTensor} handles.
 *
 * <p>Each function returns a new handle the caller owns and translates native failures through
 * {@link Errors}, naming the op, its arguments and the input shapes. Kept apart from
 * {@link NativeTensor} so that the layer kernels live in one place.
 */
public final class NativeFunctional {
    static {
        NativeRuntime.ensureLoaded();
    }

    private NativeFunctional() {}

    private static String describe(NativeTensor t) {
        if (t == null) {
            return "null";
        }
        if (t.isClosed()) {
            return "<closed>";
        }
        try {
            return Arrays.toString(t.shape()) + " " + t.dtype() + (t.device().isCuda() ? " " + t.device() : "");
        } catch (RuntimeException e) {
            return "<tensor>";
        }
    }

    private static RuntimeException fail(RuntimeException e, String op, NativeTensor x) {
        return Errors.translate(e, op + "(" + describe(x) + ")");
    }

    /** {@code f}'s new tensor on {@code x}'s native tensor, held for the call; a native failure names {@code op}. */
    private static NativeTensor unary(NativeTensor x, java.util.function.Supplier<String> op,
                                      java.util.function.UnaryOperator<Tensor> f) {
        Tensor in = x.acquire(); // held: another thread may close x meanwhile
        try {
            return NativeTensor.own(f.apply(in));
        } catch (RuntimeException e) {
            throw fail(e, op.get(), x);
        } finally {
            x.release();
        }
    }

    private static String pairs(long[] k, long[] s, long[] p) {
        return "kernel_size=" + Arrays.toString(k) + ", stride=" + Arrays.toString(s) + ", padding=" + Arrays.toString(p);
    }

    /**
     * {@code at::conv2d}: input {@code [N, C, H, W]} or {@code [C, H, W]}, weight
     * {@code [out, C/groups, kh, kw]}, bias {@code [out]} or null.
     */
    public static NativeTensor conv2d(NativeTensor x, NativeTensor weight, NativeTensor bias, long[] stride,
                                      long[] padding, long[] dilation, long groups) {
        return conv2d(x, weight, bias, stride, padding, dilation, groups, null);
    }

    /**
     * {@link #conv2d(NativeTensor, NativeTensor, NativeTensor, long[], long[], long[], long)} for a
     * layer that keeps its weight reordered for oneDNN inference in {@code packed} (may be null).
     */
    public static NativeTensor conv2d(NativeTensor x, NativeTensor weight, NativeTensor bias, long[] stride,
                                      long[] padding, long[] dilation, long groups, PackedConvWeight packed) {
        // held for the call: another thread may close any of them meanwhile
        NativeTensor[] held = {x, weight, bias};
        NativeTensor.acquireAll(held);
        try {
            Tensor in = x.held();
            Tensor w = weight.held();
            Tensor bp = bias == null ? null : bias.held();
            boolean training = OneDnn.recordsGradient(in, w, bp);
            // a stem in training: its one product beat oneDNN's forward plus libtorch's backward
            // (the weight gradient is then one product too)
            if (training && isStem(in, w, bp, stride, padding, dilation, groups)) {
                return NativeTensor.own(stemConv2d(in, w, bp, stride, padding, dilation));
            }
            // oneDNN's forward where it is right (OneDnn)
            Tensor fast = OneDnn.conv2d(in, w, bp, stride, padding, dilation, groups, packed, training);
            if (fast != null) {
                return NativeTensor.own(fast);
            }
            if (!training && isStem(in, w, bp, stride, padding, dilation, groups)) {
                return NativeTensor.own(stemConv2d(in, w, bp, stride, padding, dilation));
            }
            try (TensorOptional b = bp == null ? new TensorOptional() : new TensorOptional(bp)) {
                return NativeTensor.own(torch.conv2d(in, w, b, stride, padding, dilation, groups));
            }
        } catch (RuntimeException e) {
            throw Errors.translate(e, "conv2d(" + describe(x) + ", weight " + describe(weight) + ", stride="
                    + Arrays.toString(stride) + ", padding=" + Arrays.toString(padding) + ", dilation="
                    + Arrays.toString(dilation) + ", groups=" + groups + ")");
        } finally {
            NativeTensor.releaseAll(held, held.length);
        }
    }

    /** Largest {@code C_in * kh * kw} and smallest {@code C_out} of a convolution computed by {@link #stemConv2d}. */
    private static final long STEM_MAX_K = 32;
    private static final long STEM_MIN_OUT = 16;

    /**
     * Whether {@link #conv2d} takes the stem path: a CPU, floating-point, ungrouped 4-D convolution
     * with few input taps ({@code C_in * kh * kw <= 32}), at least 16 output channels, an input that
     * needs no gradient (the data entering a network), and arguments that are valid; anything else,
     * errors included, goes to {@code at::conv2d}.
     */
    private static boolean isStem(Tensor x, Tensor w, Tensor bias, long[] stride, long[] padding, long[] dilation,
                                  long groups) {
        if (groups != 1 || x.dim() != 4 || w.dim() != 4 || !x.is_cpu() || !w.is_cpu() || x.requires_grad()
                || !x.is_floating_point() || x.scalar_type().value != w.scalar_type().value || w.size(1) != x.size(1)
                || w.size(0) < STEM_MIN_OUT || w.size(1) * w.size(2) * w.size(3) > STEM_MAX_K
                || stride.length != 2 || padding.length != 2 || dilation.length != 2) {
            return false;
        }
        if (bias != null && (bias.dim() != 1 || bias.size(0) != w.size(0) || !bias.is_cpu()
                || bias.scalar_type().value != w.scalar_type().value)) {
            return false;
        }
        for (int d = 0; d < 2; d++) {
            if (stride[d] < 1 || padding[d] < 0 || dilation[d] < 1
                    || x.size(2 + d) + 2 * padding[d] < dilation[d] * (w.size(2 + d) - 1) + 1) {
                return false;
            }
        }
        return x.size(0) > 0;
    }

    /**
     * A stem convolution as one matrix product whose result is already channels-last.
     *
     * <p>The windows of the (padded) input are gathered, tap-major, into a {@code [C_in*kh*kw,
     * N*Ho*Wo]} matrix (the input is not differentiated, so no scatter-back is ever needed), and
     * {@code addmm} against the {@code [C_out, C_in*kh*kw]} weight gives {@code [N*Ho*Wo, C_out]}:
     * the output in channels-last order, returned as an {@code [N, C_out, Ho, Wo]} view. libtorch's
     * own CPU kernel writes NCHW, which the channels-last pooling and ReLU downstream then had to
     * transpose forward and back, a large share of an MNIST CNN step; with one input channel its own
     * channels-last kernel copies one float per tap. The gather-and-product path made the CLI's
     * MNIST CNN epoch measurably faster (docs/benchmarks.md). Results agree with
     * {@code at::conv2d} to rounding ({@code StemConvTest}); gradients reach weight and bias through
     * {@code addmm}'s own backward.
     */
    private static Tensor stemConv2d(Tensor x, Tensor w, Tensor bias, long[] stride, long[] padding, long[] dilation) {
        long n = x.size(0), c = x.size(1), kh = w.size(2), kw = w.size(3), cout = w.size(0);
        long h = x.size(2) + 2 * padding[0], wd = x.size(3) + 2 * padding[1];
        long ho = (h - dilation[0] * (kh - 1) - 1) / stride[0] + 1;
        long wo = (wd - dilation[1] * (kw - 1) - 1) / stride[1] + 1;
        boolean padded = padding[0] != 0 || padding[1] != 0;
        try (Scalar zero = new Scalar(0.0);
             Tensor pad = padded ? torch.constant_pad_nd(x, new long[] {padding[1], padding[1], padding[0], padding[0]}, zero)
                     : null;
             Tensor src = (padded ? pad : x).contiguous();
             Tensor windows = src.as_strided(new long[] {c, kh, kw, n, ho, wo},
                     new long[] {h * wd, dilation[0] * wd, dilation[1], c * h * wd, stride[0] * wd, stride[1]});
             Tensor tapsByPixel = windows.reshape(c * kh * kw, n * ho * wo);
             Tensor pixelsByTap = tapsByPixel.t();
             Tensor w2 = w.reshape(cout, c * kh * kw);
             Tensor wt = w2.t();
             Tensor out = bias == null ? pixelsByTap.mm(wt) : torch.addmm(bias, pixelsByTap, wt);
             Tensor nhwc = out.view(n, ho, wo, cout)) {
            return nhwc.permute(0, 3, 1, 2);
        }
    }

    /** Channels from which a CPU max pool runs in channels-last layout (one AVX-512 vector of floats). */
    private static final long CHANNELS_LAST_POOL_MIN_C = 16;

    /**
     * {@code at::max_pool2d} over {@code [N, C, H, W]} or {@code [C, H, W]}.
     *
     * <p>On the CPU, a 4-D floating input with at least 16 channels is pooled in channels-last
     * layout: libtorch 2.10's NCHW kernel is scalar, while its channels-last kernel is vectorised over
     * channels and was faster on the MNIST CNN's activations even counting the layout change
     * (docs/benchmarks.md). Values and
     * gradients are the same elements (a max picks, it does not round); the result keeps the
     * channels-last strides, which every later op accepts.
     */
    public static NativeTensor maxPool2d(NativeTensor x, long[] kernel, long[] stride, long[] padding,
                                         long[] dilation, boolean ceilMode) {
        return unary(x, () -> "maxPool2d[" + pairs(kernel, stride, padding) + ", dilation=" + Arrays.toString(dilation)
                + ", ceil_mode=" + ceilMode + "]", in -> {
            if (in.dim() == 4 && in.size(1) >= CHANNELS_LAST_POOL_MIN_C && in.is_cpu() && in.is_floating_point()
                    && !in.is_contiguous(torch.MemoryFormat.ChannelsLast)) {
                try (Tensor cl = in.contiguous(torch.MemoryFormat.ChannelsLast)) {
                    return torch.max_pool2d(cl, kernel, stride, padding, dilation, ceilMode);
                }
            }
            return torch.max_pool2d(in, kernel, stride, padding, dilation, ceilMode);
        });
    }

    /** {@code at::avg_pool2d} over {@code [N, C, H, W]} or {@code [C, H, W]}. */
    public static NativeTensor avgPool2d(NativeTensor x, long[] kernel, long[] stride, long[] padding,
                                         boolean ceilMode, boolean countIncludePad) {
        return unary(x, () -> "avgPool2d[" + pairs(kernel, stride, padding) + ", ceil_mode=" + ceilMode
                + ", count_include_pad=" + countIncludePad + "]", in -> {
            try (LongOptional none = new LongOptional()) {
                return torch.avg_pool2d(in, kernel, stride, padding, ceilMode, countIncludePad, none);
            }
        });
    }

    /** {@code at::adaptive_avg_pool2d} to {@code outputSize} (height, width). */
    public static NativeTensor adaptiveAvgPool2d(NativeTensor x, long[] outputSize) {
        return unary(x, () -> "adaptiveAvgPool2d[output_size=" + Arrays.toString(outputSize) + "]",
                in -> torch.adaptive_avg_pool2d(in, outputSize));
    }

    /** {@code at::dropout}: in training, zeroes each element with probability p, scales the rest by 1/(1-p). */
    public static NativeTensor dropout(NativeTensor x, double p, boolean training) {
        return unary(x, () -> "dropout[p=" + p + ", training=" + training + "]", in -> torch.dropout(in, p, training));
    }

    /** {@code at::gelu} with {@code approximate} "none" (exact erf form) or "tanh". */
    public static NativeTensor gelu(NativeTensor x, String approximate) {
        return unary(x, () -> "gelu[approximate=" + approximate + "]", in -> torch.gelu(in, approximate));
    }

    /** {@code at::leaky_relu}: x for x >= 0, slope * x below. */
    public static NativeTensor leakyRelu(NativeTensor x, double negativeSlope) {
        return unary(x, () -> "leakyRelu[negative_slope=" + negativeSlope + "]", in -> {
            try (Scalar s = new Scalar(negativeSlope)) {
                return torch.leaky_relu(in, s);
            }
        });
    }

    /** {@code at::sigmoid}. */
    public static NativeTensor sigmoid(NativeTensor x) {
        return unary(x, () -> "sigmoid", in -> torch.sigmoid(in));
    }

    /** {@code at::tanh}. */
    public static NativeTensor tanh(NativeTensor x) {
        return unary(x, () -> "tanh", in -> torch.tanh(in));
    }
}
