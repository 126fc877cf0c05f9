package dev.jtorch.nn.functional;

import dev.jtorch.internal.Bridge;
import dev.jtorch.internal.NativeTensor;
import dev.jtorch.tensor.Tensor;

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
        return Bridge.tensors().handle(t);
    }

    private static Tensor scoped(NativeTensor h, String op) {
        return Bridge.tensors().scoped(h, op);
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
}
