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
        return scoped(h(logits).crossEntropy(h(target), null, reduction.code(), -100, 0.0), "crossEntropy");
    }

    /** {@code x W^T + b}; {@code bias} may be null. */
    public static Tensor linear(Tensor x, Tensor weight, Tensor bias) {
        return scoped(h(x).linear(h(weight), bias == null ? null : h(bias)), "linear");
    }
}
