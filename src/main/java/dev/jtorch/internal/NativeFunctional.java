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

    private static String pairs(long[] k, long[] s, long[] p) {
        return "kernel_size=" + Arrays.toString(k) + ", stride=" + Arrays.toString(s) + ", padding=" + Arrays.toString(p);
    }

    /**
     * {@code at::conv2d}: input {@code [N, C, H, W]} or {@code [C, H, W]}, weight
     * {@code [out, C/groups, kh, kw]}, bias {@code [out]} or null.
     */
    public static NativeTensor conv2d(NativeTensor x, NativeTensor weight, NativeTensor bias, long[] stride,
                                      long[] padding, long[] dilation, long groups) {
        try (TensorOptional b = bias == null ? new TensorOptional() : new TensorOptional(bias.ptr())) {
            return NativeTensor.own(torch.conv2d(x.ptr(), weight.ptr(), b, stride, padding, dilation, groups));
        } catch (RuntimeException e) {
            throw Errors.translate(e, "conv2d(" + describe(x) + ", weight " + describe(weight) + ", stride="
                    + Arrays.toString(stride) + ", padding=" + Arrays.toString(padding) + ", dilation="
                    + Arrays.toString(dilation) + ", groups=" + groups + ")");
        }
    }

    /** Channels from which a CPU max pool runs in channels-last layout (one AVX-512 vector of floats). */
    private static final long CHANNELS_LAST_POOL_MIN_C = 16;

    /**
     * {@code at::max_pool2d} over {@code [N, C, H, W]} or {@code [C, H, W]}.
     *
     * <p>On the CPU, a 4-D floating input with at least 16 channels is pooled in channels-last
     * layout: libtorch 2.10's NCHW kernel is scalar and took 13-15 ms forward+backward over the
     * MNIST CNN's 64x32x26x26 activations, its channels-last kernel (vectorised over channels)
     * 5-9 ms including the layout change, and 1.2 ms against 3.3 ms for 64x64x11x11. Values and
     * gradients are the same elements (a max picks, it does not round); the result keeps the
     * channels-last strides, which every later op accepts.
     */
    public static NativeTensor maxPool2d(NativeTensor x, long[] kernel, long[] stride, long[] padding,
                                         long[] dilation, boolean ceilMode) {
        try {
            Tensor in = x.ptr();
            if (in.dim() == 4 && in.size(1) >= CHANNELS_LAST_POOL_MIN_C && in.is_cpu() && in.is_floating_point()
                    && !in.is_contiguous(torch.MemoryFormat.ChannelsLast)) {
                try (Tensor cl = in.contiguous(torch.MemoryFormat.ChannelsLast)) {
                    return NativeTensor.own(torch.max_pool2d(cl, kernel, stride, padding, dilation, ceilMode));
                }
            }
            return NativeTensor.own(torch.max_pool2d(in, kernel, stride, padding, dilation, ceilMode));
        } catch (RuntimeException e) {
            throw fail(e, "maxPool2d[" + pairs(kernel, stride, padding) + ", dilation=" + Arrays.toString(dilation)
                    + ", ceil_mode=" + ceilMode + "]", x);
        }
    }

    /** {@code at::avg_pool2d} over {@code [N, C, H, W]} or {@code [C, H, W]}. */
    public static NativeTensor avgPool2d(NativeTensor x, long[] kernel, long[] stride, long[] padding,
                                         boolean ceilMode, boolean countIncludePad) {
        try (LongOptional none = new LongOptional()) {
            return NativeTensor.own(torch.avg_pool2d(x.ptr(), kernel, stride, padding, ceilMode, countIncludePad, none));
        } catch (RuntimeException e) {
            throw fail(e, "avgPool2d[" + pairs(kernel, stride, padding) + ", ceil_mode=" + ceilMode
                    + ", count_include_pad=" + countIncludePad + "]", x);
        }
    }

    /** {@code at::adaptive_avg_pool2d} to {@code outputSize} (height, width). */
    public static NativeTensor adaptiveAvgPool2d(NativeTensor x, long[] outputSize) {
        try {
            return NativeTensor.own(torch.adaptive_avg_pool2d(x.ptr(), outputSize));
        } catch (RuntimeException e) {
            throw fail(e, "adaptiveAvgPool2d[output_size=" + Arrays.toString(outputSize) + "]", x);
        }
    }

    /** {@code at::dropout}: in training, zeroes each element with probability p, scales the rest by 1/(1-p). */
    public static NativeTensor dropout(NativeTensor x, double p, boolean training) {
        try {
            return NativeTensor.own(torch.dropout(x.ptr(), p, training));
        } catch (RuntimeException e) {
            throw fail(e, "dropout[p=" + p + ", training=" + training + "]", x);
        }
    }

    /** {@code at::gelu} with {@code approximate} "none" (exact erf form) or "tanh". */
    public static NativeTensor gelu(NativeTensor x, String approximate) {
        try {
            return NativeTensor.own(torch.gelu(x.ptr(), approximate));
        } catch (RuntimeException e) {
            throw fail(e, "gelu[approximate=" + approximate + "]", x);
        }
    }

    /** {@code at::leaky_relu}: x for x >= 0, slope * x below. */
    public static NativeTensor leakyRelu(NativeTensor x, double negativeSlope) {
        try (Scalar s = new Scalar(negativeSlope)) {
            return NativeTensor.own(torch.leaky_relu(x.ptr(), s));
        } catch (RuntimeException e) {
            throw fail(e, "leakyRelu[negative_slope=" + negativeSlope + "]", x);
        }
    }

    /** {@code at::sigmoid}. */
    public static NativeTensor sigmoid(NativeTensor x) {
        try {
            return NativeTensor.own(torch.sigmoid(x.ptr()));
        } catch (RuntimeException e) {
            throw fail(e, "sigmoid", x);
        }
    }

    /** {@code at::tanh}. */
    public static NativeTensor tanh(NativeTensor x) {
        try {
            return NativeTensor.own(torch.tanh(x.ptr()));
        } catch (RuntimeException e) {
            throw fail(e, "tanh", x);
        }
    }
}
