package dev.jtorch.nn.functional;

import dev.jtorch.internal.NativeFunctional;
import dev.jtorch.internal.NativeTensor;
import dev.jtorch.tensor.Tensor;
import dev.jtorch.tensor.access.TensorAccess;

/**
 * Stateless functions of {@code torch.nn.functional}, each calling libtorch's own kernel.
 *
 * <p>Results belong to the current {@link dev.jtorch.tensor.TensorScope}. Softmax turns logits into
 * probabilities; {@link #crossEntropy} takes <em>logits</em> (it applies log-softmax itself), so a
 * model's {@code forward} must not apply softmax before it.
 */
public final class F {
    private F() {}

    private static NativeTensor h(Tensor t) {
        return TensorAccess.handle(t);
    }

    private static Tensor scoped(NativeTensor h, String op) {
        return TensorAccess.scoped(h, op);
    }

    /** {@code max(0, x)} elementwise. */
    public static Tensor relu(Tensor x) {
        return scoped(h(x).relu(), "relu");
    }

    /**
     * {@code exp(x_i) / sum_j exp(x_j)} along {@code dim}, computed stably (finite for logits of
     * +-1000; an entry of -inf gets probability 0).
     */
    public static Tensor softmax(Tensor x, int dim) {
        return scoped(h(x).softmax(dim), "softmax");
    }

    /** {@code log(softmax(x))} along {@code dim}, computed stably in one kernel. */
    public static Tensor logSoftmax(Tensor x, int dim) {
        return scoped(h(x).logSoftmax(dim), "logSoftmax");
    }

    /**
     * Mean cross-entropy between logits {@code [N, C]} (or {@code [N, C, d...]}) and int64 class
     * indices {@code [N]} ({@code [N, d...]}); a float target of the logits' shape is read as class
     * probabilities.
     *
     * @throws dev.jtorch.TorchException naming both shapes if they do not fit, or a target is out
     *     of range
     */
    public static Tensor crossEntropy(Tensor logits, Tensor target) {
        return crossEntropy(logits, target, Reduction.MEAN);
    }

    /** Cross-entropy with the given reduction ({@code NONE} gives one loss per sample). */
    public static Tensor crossEntropy(Tensor logits, Tensor target, Reduction reduction) {
        return crossEntropy(logits, target, CrossEntropyOptions.defaults().withReduction(reduction));
    }

    /**
     * Cross-entropy with every PyTorch option: class weights, {@code ignoreIndex}, label smoothing and
     * reduction; class-index (int64) or probability (float, same shape as the logits) targets.
     *
     * <p>With {@code MEAN}, class-index targets average over the weights of the non-ignored
     * samples, as PyTorch does.
     *
     * @throws dev.jtorch.TorchException naming the shapes if they do not fit (the weight must
     *     have one entry per class)
     */
    public static Tensor crossEntropy(Tensor logits, Tensor target, CrossEntropyOptions options) {
        NativeTensor w = options.weight() == null ? null : h(options.weight());
        return scoped(h(logits).crossEntropy(h(target), w, options.reduction().code(), options.ignoreIndex(),
                options.labelSmoothing()), "crossEntropy");
    }

    /** Mean negative log-likelihood of log-probabilities {@code [N, C]} at int64 class indices {@code [N]}. */
    public static Tensor nllLoss(Tensor logProbs, Tensor target) {
        return nllLoss(logProbs, target, null, -100, Reduction.MEAN);
    }

    /**
     * Negative log-likelihood with class weights (may be null), an ignored class index and a
     * reduction, as {@code torch.nn.functional.nll_loss}.
     */
    public static Tensor nllLoss(Tensor logProbs, Tensor target, Tensor weight, long ignoreIndex, Reduction reduction) {
        return scoped(h(logProbs).nllLoss(h(target), weight == null ? null : h(weight), reduction.code(), ignoreIndex),
                "nllLoss");
    }

    /** {@code x W^T + b}; {@code bias} may be null. */
    public static Tensor linear(Tensor x, Tensor weight, Tensor bias) {
        return scoped(h(x).linear(h(weight), bias == null ? null : h(bias)), "linear");
    }

    // ================================================================ layers: convolution, pooling,
    // dropout and activations (Conv2d, MaxPool2d, AvgPool2d, AdaptiveAvgPool2d, Dropout, GELU,
    // LeakyReLU, Sigmoid, Tanh). Each runs libtorch's own kernel; results go to the current scope.

    private static long[] pair(long[] v, String what) {
        if (v == null || v.length != 2) {
            throw new IllegalArgumentException(what + " must have 2 values (height, width), got "
                    + (v == null ? "null" : java.util.Arrays.toString(v)));
        }
        return v.clone();
    }

    private static long[] square(long v) {
        return new long[] {v, v};
    }

    /**
     * 2-D convolution with stride 1, no padding, as {@code torch.nn.functional.conv2d(x, weight, bias)}.
     *
     * @param x {@code [N, C, H, W]} or {@code [C, H, W]}
     * @param weight {@code [out, C, kh, kw]}
     * @param bias {@code [out]} or null
     * @throws dev.jtorch.TorchException naming the shapes if they do not fit
     */
    public static Tensor conv2d(Tensor x, Tensor weight, Tensor bias) {
        return conv2d(x, weight, bias, square(1), square(0), square(1), 1);
    }

    /**
     * 2-D convolution, as {@code torch.nn.functional.conv2d}; {@code stride}, {@code padding} and
     * {@code dilation} are (height, width) pairs, weight is {@code [out, C/groups, kh, kw]}.
     *
     * @throws IllegalArgumentException if a pair does not have two values
     * @throws dev.jtorch.TorchException naming the shapes if they do not fit
     */
    public static Tensor conv2d(Tensor x, Tensor weight, Tensor bias, long[] stride, long[] padding, long[] dilation,
                                long groups) {
        return scoped(NativeFunctional.conv2d(h(x), h(weight), bias == null ? null : h(bias), pair(stride, "stride"),
                pair(padding, "padding"), pair(dilation, "dilation"), groups), "conv2d");
    }

    /** Max pooling over {@code kernelSize x kernelSize} windows with stride = kernel size, no padding. */
    public static Tensor maxPool2d(Tensor x, long kernelSize) {
        return maxPool2d(x, kernelSize, kernelSize);
    }

    /** Max pooling over square windows with the given stride, no padding. */
    public static Tensor maxPool2d(Tensor x, long kernelSize, long stride) {
        return maxPool2d(x, square(kernelSize), square(stride), square(0), square(1), false);
    }

    /**
     * Max pooling over {@code [N, C, H, W]} or {@code [C, H, W]}, as
     * {@code torch.nn.functional.max_pool2d}; every size is a (height, width) pair.
     *
     * @throws IllegalArgumentException if a pair does not have two values
     * @throws dev.jtorch.TorchException if the input is too small or padding exceeds half the kernel
     */
    public static Tensor maxPool2d(Tensor x, long[] kernelSize, long[] stride, long[] padding, long[] dilation,
                                   boolean ceilMode) {
        return scoped(NativeFunctional.maxPool2d(h(x), pair(kernelSize, "kernelSize"), pair(stride, "stride"),
                pair(padding, "padding"), pair(dilation, "dilation"), ceilMode), "maxPool2d");
    }

    /** Average pooling over square windows with stride = kernel size, no padding. */
    public static Tensor avgPool2d(Tensor x, long kernelSize) {
        return avgPool2d(x, kernelSize, kernelSize);
    }

    /** Average pooling over square windows with the given stride, no padding. */
    public static Tensor avgPool2d(Tensor x, long kernelSize, long stride) {
        return avgPool2d(x, square(kernelSize), square(stride), square(0), false, true);
    }

    /**
     * Average pooling over {@code [N, C, H, W]} or {@code [C, H, W]}, as
     * {@code torch.nn.functional.avg_pool2d}; every size is a (height, width) pair.
     *
     * @throws IllegalArgumentException if a pair does not have two values
     * @throws dev.jtorch.TorchException if the input is too small or padding exceeds half the kernel
     */
    public static Tensor avgPool2d(Tensor x, long[] kernelSize, long[] stride, long[] padding, boolean ceilMode,
                                   boolean countIncludePad) {
        return scoped(NativeFunctional.avgPool2d(h(x), pair(kernelSize, "kernelSize"), pair(stride, "stride"),
                pair(padding, "padding"), ceilMode, countIncludePad), "avgPool2d");
    }

    /** Adaptive average pooling to {@code outputSize x outputSize}. */
    public static Tensor adaptiveAvgPool2d(Tensor x, long outputSize) {
        return adaptiveAvgPool2d(x, outputSize, outputSize);
    }

    /**
     * Adaptive average pooling of {@code [N, C, H, W]} or {@code [C, H, W]} to
     * {@code [.., height, width]}, as {@code torch.nn.functional.adaptive_avg_pool2d}.
     */
    public static Tensor adaptiveAvgPool2d(Tensor x, long height, long width) {
        return scoped(NativeFunctional.adaptiveAvgPool2d(h(x), new long[] {height, width}), "adaptiveAvgPool2d");
    }

    /**
     * Dropout, as {@code torch.nn.functional.dropout}: when {@code training}, each element is zeroed
     * with probability {@code p} (from the default generator) and the others are scaled by
     * {@code 1/(1-p)}; otherwise the input is returned unchanged (an alias of it, in the scope).
     *
     * @throws IllegalArgumentException if {@code p} is not in [0, 1]
     */
    public static Tensor dropout(Tensor x, double p, boolean training) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException("dropout probability has to be between 0 and 1, but got " + p);
        }
        return scoped(NativeFunctional.dropout(h(x), p, training), "dropout");
    }

    /** GELU, exact form {@code x * Phi(x)}. */
    public static Tensor gelu(Tensor x) {
        return gelu(x, "none");
    }

    /**
     * GELU with {@code approximate} {@code "none"} (exact) or {@code "tanh"}, as
     * {@code torch.nn.functional.gelu}.
     *
     * @throws IllegalArgumentException for another approximation name
     */
    public static Tensor gelu(Tensor x, String approximate) {
        if (!"none".equals(approximate) && !"tanh".equals(approximate)) {
            throw new IllegalArgumentException("gelu approximate must be \"none\" or \"tanh\", got " + approximate);
        }
        return scoped(NativeFunctional.gelu(h(x), approximate), "gelu");
    }

    /** Leaky ReLU with PyTorch's default negative slope 0.01. */
    public static Tensor leakyRelu(Tensor x) {
        return leakyRelu(x, 0.01);
    }

    /** {@code x} where {@code x >= 0}, {@code negativeSlope * x} elsewhere. */
    public static Tensor leakyRelu(Tensor x, double negativeSlope) {
        return scoped(NativeFunctional.leakyRelu(h(x), negativeSlope), "leakyRelu");
    }

    /** {@code 1 / (1 + exp(-x))} elementwise. */
    public static Tensor sigmoid(Tensor x) {
        return scoped(NativeFunctional.sigmoid(h(x)), "sigmoid");
    }

    /** Hyperbolic tangent elementwise. */
    public static Tensor tanh(Tensor x) {
        return scoped(NativeFunctional.tanh(h(x)), "tanh");
    }
}
