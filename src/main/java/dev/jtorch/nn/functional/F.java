package dev.jtorch.nn.functional;

import dev.jtorch.internal.NativeFunctional;
import dev.jtorch.internal.NativeTensor;
import dev.jtorch.tensor.Ops;
import dev.jtorch.tensor.Tensor;
import dev.jtorch.tensor.access.TensorAccess;

/**
 * Stateless functions of {@code torch.nn.functional}, each calling libtorch's own kernel.
 *
 * <p>Most functions are generated from libtorch's schemas ({@link FunctionalOps}, inherited); the
 * ones written here are fast paths, functions PyTorch writes in Python, and those whose Python
 * signature differs from the aten operator's.
 *
 * <p>Results belong to the current {@link dev.jtorch.tensor.TensorScope}. Softmax turns logits into
 * probabilities; {@link #crossEntropy} takes <em>logits</em> (it applies log-softmax itself), so a
 * model's {@code forward} must not apply softmax before it.
 */
public final class F extends FunctionalOps {
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

    // ================================================================ Python-level functions
    // torch.nn.functional functions written in Python, or whose Python signature differs from the
    // aten schema (argument order, Python-only options); functional_handwritten.txt lists them so
    // the generator leaves them to this class. Each follows PyTorch's Python code.

    private static final Ops.Op EMBEDDING = Ops.of("aten::embedding");
    private static final Ops.Op EMBEDDING_RENORM = Ops.of("aten::embedding_renorm_");
    private static final Ops.Op BATCH_NORM = Ops.of("aten::batch_norm");
    private static final Ops.Op INSTANCE_NORM = Ops.of("aten::instance_norm");
    private static final Ops.Op BCE_WITH_LOGITS = Ops.of("aten::binary_cross_entropy_with_logits");
    private static final Ops.Op IM2COL = Ops.of("aten::im2col");
    private static final Ops.Op COL2IM = Ops.of("aten::col2im");
    private static final Ops.Op LOG_SIGMOID = Ops.of("aten::log_sigmoid");
    private static final Ops.Op FEATURE_DROPOUT = Ops.of("aten::feature_dropout");
    private static final Ops.Op MAX_UNPOOL2D = Ops.of("aten::max_unpool2d");
    private static final Ops.Op MAX_UNPOOL3D = Ops.of("aten::max_unpool3d");
    private static final Ops.Op GRID_SAMPLER = Ops.of("aten::grid_sampler");
    private static final Ops.Op ADAPTIVE_MAX_POOL1D = Ops.of("aten::adaptive_max_pool1d");
    private static final Ops.Op ADAPTIVE_MAX_POOL2D = Ops.of("aten::adaptive_max_pool2d");
    private static final Ops.Op ADAPTIVE_MAX_POOL3D = Ops.of("aten::adaptive_max_pool3d");

    /**
     * {@code F.embedding(input, weight, padding_idx, max_norm, norm_type, scale_grad_by_freq)}: as
     * PyTorch, a non-null {@code maxNorm} renormalises the looked-up rows of {@code weight} in place
     * (without autograd) before the lookup; a negative {@code paddingIdx} counts from the end.
     *
     * @param input int64 indices of any shape; the result is {@code input.shape + [dim]}
     * @throws IllegalArgumentException if {@code paddingIdx} is outside {@code weight}'s rows
     */
    public static Tensor embedding(Tensor input, Tensor weight, Long paddingIdx, Double maxNorm, double normType,
                                   boolean scaleGradByFreq) {
        long rows = weight.size(0);
        long pad = -1;
        if (paddingIdx != null) {
            if (paddingIdx >= rows || paddingIdx < -rows) {
                throw new IllegalArgumentException("embedding: padding_idx " + paddingIdx + " is outside the "
                        + rows + " rows of weight");
            }
            pad = paddingIdx < 0 ? paddingIdx + rows : paddingIdx;
        }
        if (maxNorm != null) {
            try (dev.jtorch.autograd.NoGrad g = dev.jtorch.autograd.NoGrad.enter()) {
                EMBEDDING_RENORM.run(weight, input.contiguous(), maxNorm, normType);
            }
        }
        return EMBEDDING.tensor(weight, input, pad, scaleGradByFreq, false);
    }

    /**
     * {@code F.batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps)}:
     * in training mode the running statistics (when not null) are updated in place.
     */
    public static Tensor batchNorm(Tensor input, Tensor runningMean, Tensor runningVar, Tensor weight, Tensor bias,
                                   boolean training, double momentum, double eps) {
        return BATCH_NORM.tensor(input, weight, bias, runningMean, runningVar, training, momentum, eps, true);
    }

    /**
     * {@code F.instance_norm(input, running_mean, running_var, weight, bias, use_input_stats,
     * momentum, eps)}; every tensor but {@code input} may be null.
     */
    public static Tensor instanceNorm(Tensor input, Tensor runningMean, Tensor runningVar, Tensor weight, Tensor bias,
                                      boolean useInputStats, double momentum, double eps) {
        return INSTANCE_NORM.tensor(input, weight, bias, runningMean, runningVar, useInputStats, momentum, eps, true);
    }

    /**
     * {@code F.binary_cross_entropy_with_logits(input, target, weight, reduction, pos_weight)}:
     * {@code weight} rescales each element, {@code posWeight} (broadcast over the last dimension,
     * one per class) the positive term; both may be null.
     */
    public static Tensor binaryCrossEntropyWithLogits(Tensor input, Tensor target, Tensor weight, Reduction reduction,
                                                      Tensor posWeight) {
        return BCE_WITH_LOGITS.tensor(input, target, weight, posWeight, (long) reduction.code());
    }

    /**
     * {@code F.unfold(input, kernel_size, dilation, padding, stride)} (im2col): sliding blocks of a
     * {@code [N, C, H, W]} input as {@code [N, C*kh*kw, L]}.
     */
    public static Tensor unfold(Tensor input, long[] kernelSize, long[] dilation, long[] padding, long[] stride) {
        return IM2COL.tensor(input, kernelSize, dilation, padding, stride);
    }

    /** {@code F.unfold(input, kernel_size)} with dilation 1, padding 0, stride 1. */
    public static Tensor unfold(Tensor input, long kernelSize) {
        return IM2COL.tensor(input, new long[] {kernelSize, kernelSize}, new long[] {1, 1}, new long[] {0, 0},
                new long[] {1, 1});
    }

    /** {@code F.fold(input, output_size, kernel_size, dilation, padding, stride)} (col2im), unfold's adjoint. */
    public static Tensor fold(Tensor input, long[] outputSize, long[] kernelSize, long[] dilation, long[] padding,
                              long[] stride) {
        return COL2IM.tensor(input, outputSize, kernelSize, dilation, padding, stride);
    }

    /** {@code F.fold(input, output_size, kernel_size)} with dilation 1, padding 0, stride 1. */
    public static Tensor fold(Tensor input, long[] outputSize, long kernelSize) {
        return COL2IM.tensor(input, outputSize, new long[] {kernelSize, kernelSize}, new long[] {1, 1},
                new long[] {0, 0}, new long[] {1, 1});
    }

    /** {@code F.logsigmoid}: {@code log(1 / (1 + exp(-x)))}, computed stably. */
    public static Tensor logsigmoid(Tensor input) {
        return LOG_SIGMOID.tensor(input);
    }

    /** {@code F.softmin(input, dim)}: {@code softmax(-input, dim)}. */
    public static Tensor softmin(Tensor input, long dim) {
        return input.neg().softmax(dim);
    }

    /** {@code F.softsign}: {@code x / (1 + |x|)}. */
    public static Tensor softsign(Tensor input) {
        return input.div(input.abs().add(1.0));
    }

    /** {@code F.tanhshrink}: {@code x - tanh(x)}. */
    public static Tensor tanhshrink(Tensor input) {
        return input.sub(input.tanh());
    }

    /**
     * {@code F.normalize(input, p, dim, eps)}: {@code input / max(||input||_p, eps)} along {@code dim}.
     */
    public static Tensor normalize(Tensor input, double p, long dim, double eps) {
        Tensor norm = input.norm(p, new long[] {dim}, true);
        return input.div(norm.clampMin(eps).expandAs(input));
    }

    /** {@code F.dropout1d}: zeroes whole channels of {@code [N, C, L]} (or {@code [C, L]}). */
    public static Tensor dropout1d(Tensor input, double p, boolean training) {
        return channelDropout(input, p, training, 3, "dropout1d");
    }

    /** {@code F.dropout2d}: zeroes whole channels of {@code [N, C, H, W]} (or {@code [C, H, W]}). */
    public static Tensor dropout2d(Tensor input, double p, boolean training) {
        return channelDropout(input, p, training, 4, "dropout2d");
    }

    /** {@code F.dropout3d}: zeroes whole channels of {@code [N, C, D, H, W]} (or {@code [C, D, H, W]}). */
    public static Tensor dropout3d(Tensor input, double p, boolean training) {
        return channelDropout(input, p, training, 5, "dropout3d");
    }

    private static final System.Logger LOG = System.getLogger("dev.jtorch.nn.functional");

    private static Tensor channelDropout(Tensor input, double p, boolean training, int batchedDims, String name) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException(name + ": dropout probability has to be between 0 and 1, but got " + p);
        }
        int d = input.dim();
        if (d != batchedDims && d != batchedDims - 1) {
            // PyTorch warns and goes on, treating the input as one unbatched sample
            LOG.log(System.Logger.Level.WARNING, name + ": received a " + d + "-D input; expected "
                    + (batchedDims - 1) + "-D (unbatched) or " + batchedDims + "-D (batched), as PyTorch");
        }
        if (d == batchedDims) {
            return FEATURE_DROPOUT.tensor(input, p, training);
        }
        return FEATURE_DROPOUT.tensor(input.unsqueeze(0), p, training).squeeze(0L);
    }

    /**
     * {@code F.multilabel_soft_margin_loss(input, target, weight, reduction)}: the mean over classes
     * of the per-class logistic loss; {@code weight} may be null.
     */
    public static Tensor multilabelSoftMarginLoss(Tensor input, Tensor target, Tensor weight, Reduction reduction) {
        Tensor loss = target.mul(logsigmoid(input)).add(target.neg().add(1.0).mul(logsigmoid(input.neg()))).neg();
        if (weight != null) {
            loss = loss.mul(weight);
        }
        loss = loss.sum(new long[] {input.dim() - 1}).div((double) input.size(-1));
        return reduce(loss, reduction);
    }

    /**
     * {@code F.gaussian_nll_loss(input, target, var, full, eps, reduction)}: the negative
     * log-likelihood of {@code target} under N(input, var); {@code var} is clamped to {@code eps}
     * without autograd seeing the clamp, as in PyTorch, and may have one dimension fewer.
     *
     * @throws IllegalArgumentException if {@code var} has a negative entry
     */
    public static Tensor gaussianNllLoss(Tensor input, Tensor target, Tensor var, boolean full, double eps,
                                         Reduction reduction) {
        Tensor v = var;
        if (v.dim() == input.dim() - 1 && input.dim() > 0) {
            v = v.unsqueeze(-1);
        }
        if (v.lt(0.0).any().item() != 0) {
            throw new IllegalArgumentException("gaussian_nll_loss: var has negative entry/entries");
        }
        v = v.clone();
        try (dev.jtorch.autograd.NoGrad g = dev.jtorch.autograd.NoGrad.enter()) {
            v.clampMin_(eps);
        }
        Tensor loss = v.log().add(input.sub(target).pow(2.0).div(v)).mul(0.5);
        if (full) {
            loss = loss.add(0.5 * Math.log(2 * Math.PI));
        }
        return reduce(loss, reduction);
    }

    private static Tensor reduce(Tensor loss, Reduction reduction) {
        switch (reduction) {
            case MEAN: return loss.mean();
            case SUM: return loss.sum();
            default: return loss;
        }
    }

    /**
     * {@code F.local_response_norm(input, size, alpha, beta, k)} over channels of a 3-D or wider
     * input {@code [N, C, ...]}.
     *
     * @throws IllegalArgumentException for fewer than 3 dimensions
     */
    public static Tensor localResponseNorm(Tensor input, long size, double alpha, double beta, double k) {
        int dim = input.dim();
        if (dim < 3) {
            throw new IllegalArgumentException("local_response_norm: expected 3D or higher input, got shape " + input.shape());
        }
        if (input.numel() == 0) {
            return input.clone();
        }
        Tensor div = input.mul(input).unsqueeze(1);
        if (dim == 3) {
            div = pad(div, new long[] {0, 0, size / 2, (size - 1) / 2});
            div = avgPool2d(div, new long[] {size, 1}, new long[] {1, 1}).squeeze(1L);
        } else {
            long[] s = input.shape().toArray();
            div = div.view(s[0], 1, s[1], s[2], -1);
            div = pad(div, new long[] {0, 0, 0, 0, size / 2, (size - 1) / 2});
            div = avgPool3d(div, new long[] {size, 1, 1}, new long[] {1, 1, 1}).squeeze(1L);
            div = div.view(s);
        }
        div = div.mul(alpha).add(k).pow(beta);
        return input.div(div);
    }

    /**
     * {@code F.max_unpool2d(input, indices, kernel_size, stride, padding, output_size)}: the
     * inverse of {@code maxPool2dWithIndices}; {@code stride} null means the kernel size and
     * {@code outputSize} null means the size the pooling came from.
     */
    public static Tensor maxUnpool2d(Tensor input, Tensor indices, long[] kernelSize, long[] stride, long[] padding,
                                     long[] outputSize) {
        return MAX_UNPOOL2D.tensor(input, indices, unpoolSize(input, kernelSize, stride, padding, outputSize, 2));
    }

    /** {@code F.max_unpool2d(input, indices, kernel_size)} with stride = kernel size, no padding. */
    public static Tensor maxUnpool2d(Tensor input, Tensor indices, long kernelSize) {
        long[] k = {kernelSize, kernelSize};
        return maxUnpool2d(input, indices, k, null, new long[] {0, 0}, null);
    }

    /** {@code F.max_unpool1d}: as {@link #maxUnpool2d} over a {@code [N, C, L]} input. */
    public static Tensor maxUnpool1d(Tensor input, Tensor indices, long kernelSize, Long stride, long padding) {
        long st = stride == null ? kernelSize : stride;
        long[] size = unpoolSize(input, new long[] {kernelSize}, new long[] {st}, new long[] {padding}, null, 1);
        return MAX_UNPOOL2D.tensor(input.unsqueeze(-1), indices.unsqueeze(-1), new long[] {size[0], 1}).squeeze(-1L);
    }

    /** {@code F.max_unpool3d(input, indices, kernel_size, stride, padding, output_size)}. */
    public static Tensor maxUnpool3d(Tensor input, Tensor indices, long[] kernelSize, long[] stride, long[] padding,
                                     long[] outputSize) {
        long[] st = stride == null ? kernelSize : stride;
        return MAX_UNPOOL3D.tensor(input, indices, unpoolSize(input, kernelSize, st, padding, outputSize, 3), st,
                padding);
    }

    private static long[] unpoolSize(Tensor input, long[] kernel, long[] stride, long[] padding, long[] outputSize,
                                     int dims) {
        long[] in = input.shape().toArray();
        if (in.length < dims + 1) {
            throw new IllegalArgumentException("max_unpool" + dims + "d: input of shape " + input.shape()
                    + " has fewer than " + (dims + 1) + " dimensions");
        }
        if (outputSize != null) {
            return outputSize.length == dims ? outputSize
                    : java.util.Arrays.copyOfRange(outputSize, outputSize.length - dims, outputSize.length);
        }
        long[] st = stride == null ? kernel : stride;
        long[] out = new long[dims];
        for (int i = 0; i < dims; i++) {
            long size = in[in.length - dims + i];
            out[i] = (size - 1) * st[i] - 2 * padding[i] + kernel[i];
        }
        return out;
    }

    /** Sampling modes of {@link #gridSample}. */
    public enum GridSampleMode { BILINEAR, NEAREST, BICUBIC }

    /** Padding modes of {@link #gridSample}. */
    public enum GridSamplePadding { ZEROS, BORDER, REFLECTION }

    /**
     * {@code F.grid_sample(input, grid, mode, padding_mode, align_corners)}: samples {@code input}
     * {@code [N, C, H, W]} at the normalised coordinates of {@code grid} {@code [N, Ho, Wo, 2]}.
     */
    public static Tensor gridSample(Tensor input, Tensor grid, GridSampleMode mode, GridSamplePadding paddingMode,
                                    boolean alignCorners) {
        return GRID_SAMPLER.tensor(input, grid, (long) mode.ordinal(), (long) paddingMode.ordinal(), alignCorners);
    }

    /** {@code F.adaptive_max_pool1d(input, output_size)}: the pooled values only. */
    public static Tensor adaptiveMaxPool1d(Tensor input, long outputSize) {
        return ADAPTIVE_MAX_POOL1D.tuple(input, new long[] {outputSize})[0];
    }

    /** {@code F.adaptive_max_pool2d(input, output_size)}: the pooled values only. */
    public static Tensor adaptiveMaxPool2d(Tensor input, long... outputSize) {
        return ADAPTIVE_MAX_POOL2D.tuple(input, outputSize.length == 1
                ? new long[] {outputSize[0], outputSize[0]} : outputSize)[0];
    }

    /** {@code F.adaptive_max_pool3d(input, output_size)}: the pooled values only. */
    public static Tensor adaptiveMaxPool3d(Tensor input, long... outputSize) {
        return ADAPTIVE_MAX_POOL3D.tuple(input, outputSize.length == 1
                ? new long[] {outputSize[0], outputSize[0], outputSize[0]} : outputSize)[0];
    }

    /** {@code F.adaptive_max_pool2d(input, output_size, return_indices=True)}: values and their flat indices. */
    public static Tensor.ValuesIndices adaptiveMaxPool2dWithIndices(Tensor input, long... outputSize) {
        Tensor[] r = ADAPTIVE_MAX_POOL2D.tuple(input, outputSize.length == 1
                ? new long[] {outputSize[0], outputSize[0]} : outputSize);
        return new Tensor.ValuesIndices(r[0], r[1]);
    }

    /** Modes of {@link #interpolate}, as PyTorch's {@code mode=} strings. */
    public enum InterpolationMode {
        /** {@code "nearest"} (PyTorch's legacy nearest, which floors). */
        NEAREST("upsample_nearest"),
        /** {@code "nearest-exact"}. */
        NEAREST_EXACT("_upsample_nearest_exact"),
        /** {@code "linear"} (3-D inputs). */
        LINEAR("upsample_linear"),
        /** {@code "bilinear"} (4-D inputs). */
        BILINEAR("upsample_bilinear"),
        /** {@code "bicubic"} (4-D inputs). */
        BICUBIC("upsample_bicubic"),
        /** {@code "trilinear"} (5-D inputs). */
        TRILINEAR("upsample_trilinear"),
        /** {@code "area"}: adaptive average pooling to the size. */
        AREA(null);

        final String op;

        InterpolationMode(String op) {
            this.op = op;
        }

        boolean interpolating() {
            return this == LINEAR || this == BILINEAR || this == BICUBIC || this == TRILINEAR;
        }
    }

    /** {@code F.interpolate(input, size=size, mode=mode)}. */
    public static Tensor interpolate(Tensor input, long[] size, InterpolationMode mode) {
        return interpolate(input, size, null, mode, null);
    }

    /** {@code F.interpolate(input, scale_factor=scale, mode=mode)}, one factor for every spatial dimension. */
    public static Tensor interpolate(Tensor input, double scaleFactor, InterpolationMode mode) {
        double[] s = new double[Math.max(1, input.dim() - 2)];
        java.util.Arrays.fill(s, scaleFactor);
        return interpolate(input, null, s, mode, null);
    }

    /**
     * {@code F.interpolate(input, size, scale_factor, mode, align_corners)}: resizes the spatial
     * dimensions of {@code [N, C, ...]}; give exactly one of {@code size} and {@code scaleFactor}.
     * {@code alignCorners} applies to the interpolating modes only (null: False), as in PyTorch.
     *
     * @throws IllegalArgumentException if both or neither of size and scale factor are given, their
     *     length is not the number of spatial dimensions, or the mode does not fit the input's rank
     */
    public static Tensor interpolate(Tensor input, long[] size, double[] scaleFactor, InterpolationMode mode,
                                     Boolean alignCorners) {
        int spatial = input.dim() - 2;
        if (spatial < 1 || spatial > 3) {
            throw new IllegalArgumentException("interpolate: expects a 3-D, 4-D or 5-D input [N, C, ...], got shape "
                    + input.shape());
        }
        if ((size == null) == (scaleFactor == null)) {
            throw new IllegalArgumentException("interpolate: give either size or scale_factor, not "
                    + (size == null ? "neither" : "both"));
        }
        long[] sz = size;
        if (sz != null && sz.length == 1 && spatial > 1) {
            sz = new long[spatial];
            java.util.Arrays.fill(sz, size[0]);
        }
        double[] sf = scaleFactor;
        if (sf != null && sf.length == 1 && spatial > 1) {
            sf = new double[spatial];
            java.util.Arrays.fill(sf, scaleFactor[0]);
        }
        if ((sz != null && sz.length != spatial) || (sf != null && sf.length != spatial)) {
            throw new IllegalArgumentException("interpolate: input of shape " + input.shape() + " has " + spatial
                    + " spatial dimensions, got " + java.util.Arrays.toString(sz != null ? sz : new long[0])
                    + java.util.Arrays.toString(sf != null ? sf : new double[0]));
        }
        if (alignCorners != null && !mode.interpolating()) {
            throw new IllegalArgumentException("interpolate: align_corners only applies to linear, bilinear, bicubic"
                    + " and trilinear modes, not " + mode);
        }
        if (mode == InterpolationMode.AREA) {
            long[] out = sz;
            if (out == null) {
                long[] in = input.shape().toArray();
                out = new long[spatial];
                for (int i = 0; i < spatial; i++) {
                    out[i] = (long) Math.floor(in[i + 2] * sf[i]);
                }
            }
            return Ops.of("aten::adaptive_avg_pool" + spatial + "d").tensor(input, out);
        }
        int need = mode == InterpolationMode.LINEAR ? 1 : mode == InterpolationMode.BILINEAR
                || mode == InterpolationMode.BICUBIC ? 2 : mode == InterpolationMode.TRILINEAR ? 3 : spatial;
        if (need != spatial) {
            throw new IllegalArgumentException("interpolate: mode " + mode + " needs " + (need + 2)
                    + "-D input, got shape " + input.shape());
        }
        Ops.Op op = Ops.of("aten::" + mode.op + spatial + "d.vec");
        if (mode.interpolating()) {
            return op.tensor(input, sz, alignCorners != null && alignCorners, sf);
        }
        return op.tensor(input, sz, sf);
    }

    /** {@code F.upsample(input, size, scale_factor, mode, align_corners)}: {@link #interpolate}. */
    public static Tensor upsample(Tensor input, long[] size, double[] scaleFactor, InterpolationMode mode,
                                  Boolean alignCorners) {
        return interpolate(input, size, scaleFactor, mode, alignCorners);
    }

    /** {@code F.upsample_nearest(input, size)}: nearest-neighbour resize. */
    public static Tensor upsampleNearest(Tensor input, long[] size) {
        return interpolate(input, size, null, InterpolationMode.NEAREST, null);
    }

    /** {@code F.upsample_nearest(input, scale_factor=...)}. */
    public static Tensor upsampleNearest(Tensor input, long[] size, double[] scaleFactor) {
        return interpolate(input, size, scaleFactor, InterpolationMode.NEAREST, null);
    }

    /** {@code F.upsample_bilinear(input, size)}: bilinear with {@code align_corners=True}, as PyTorch. */
    public static Tensor upsampleBilinear(Tensor input, long[] size) {
        return interpolate(input, size, null, InterpolationMode.BILINEAR, true);
    }

    /** {@code F.upsample_bilinear(input, size, scale_factor)}. */
    public static Tensor upsampleBilinear(Tensor input, long[] size, double[] scaleFactor) {
        return interpolate(input, size, scaleFactor, InterpolationMode.BILINEAR, true);
    }

    /**
     * {@code F.cross_entropy(input, target, weight, ignore_index, reduction, label_smoothing)} in
     * Python's argument order: {@code input} holds logits, {@code target} class indices (int64) or
     * class probabilities (the input's dtype and shape).
     */
    public static Tensor crossEntropy(Tensor input, Tensor target, Tensor weight, long ignoreIndex,
                                      Reduction reduction, double labelSmoothing) {
        return CROSS_ENTROPY.tensor(input, target, weight, (long) reduction.code(), ignoreIndex, labelSmoothing);
    }

    private static final Ops.Op CROSS_ENTROPY = Ops.of("aten::cross_entropy_loss");

    /** {@code F.softmin(input, dim, dtype)}: computed in {@code dtype}. */
    public static Tensor softmin(Tensor input, long dim, dev.jtorch.DType dtype) {
        return input.neg().softmax(dim, dtype);
    }

    /**
     * {@code F.max_unpool1d(input, indices, kernel_size, stride, padding, output_size)};
     * {@code outputSize} may be null or hold the leading dimensions too.
     */
    public static Tensor maxUnpool1d(Tensor input, Tensor indices, long kernelSize, Long stride, long padding,
                                     long[] outputSize) {
        long st = stride == null ? kernelSize : stride;
        long[] size = unpoolSize(input, new long[] {kernelSize}, new long[] {st}, new long[] {padding}, outputSize, 1);
        return MAX_UNPOOL2D.tensor(input.unsqueeze(-1), indices.unsqueeze(-1), new long[] {size[0], 1}).squeeze(-1L);
    }

    /** {@code F.unfold(input, kernel_size, dilation, padding, stride)} with square sizes. */
    public static Tensor unfold(Tensor input, long kernelSize, long dilation, long padding, long stride) {
        return unfold(input, new long[] {kernelSize, kernelSize}, new long[] {dilation, dilation},
                new long[] {padding, padding}, new long[] {stride, stride});
    }
}
