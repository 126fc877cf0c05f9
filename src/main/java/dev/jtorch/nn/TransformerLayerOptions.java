package dev.jtorch.nn;

/**
 * Options of {@link TransformerEncoderLayer} and {@link TransformerDecoderLayer}, PyTorch's
 * arguments with its defaults: {@code TransformerLayerOptions.of(16, 2).withDimFeedforward(32).withBatchFirst(true)}.
 *
 * @param dModel model dimension
 * @param nhead attention heads; {@code dModel} must be divisible by it
 * @param dimFeedforward hidden size of the feed-forward block (PyTorch's default 2048)
 * @param dropout dropout probability after attention, in and after the feed-forward block (default 0.1)
 * @param activation the feed-forward activation (default {@link Activation#RELU})
 * @param layerNormEps epsilon of the layer norms (default 1e-5)
 * @param batchFirst whether inputs are {@code [N, L, E]} rather than {@code [L, N, E]} (default false)
 * @param normFirst pre-norm (layer norm before attention and feed-forward) rather than post-norm (default false)
 * @param bias whether the linear layers and layer norms have biases (default true)
 */
public record TransformerLayerOptions(long dModel, long nhead, long dimFeedforward, double dropout,
                                      Activation activation, double layerNormEps, boolean batchFirst,
                                      boolean normFirst, boolean bias) implements TransformerLayerOptionsCopies {

    /** The feed-forward activation, PyTorch's {@code activation="relu"|"gelu"}. */
    public enum Activation {
        RELU,
        GELU
    }

    /**
     * Validates the options.
     *
     * @throws IllegalArgumentException if a size is not positive, {@code dModel} is not divisible by
     *     {@code nhead}, {@code dropout} is outside [0, 1] or {@code activation} is null
     */
    public TransformerLayerOptions {
        if (dModel <= 0 || nhead <= 0 || dimFeedforward <= 0) {
            throw new IllegalArgumentException("Transformer layer sizes must be positive, got dModel=" + dModel + ", nhead="
                    + nhead + ", dimFeedforward=" + dimFeedforward);
        }
        if (dModel % nhead != 0) {
            throw new IllegalArgumentException("Transformer layer: d_model (" + dModel + ") must be divisible by nhead ("
                    + nhead + ")");
        }
        if (!(dropout >= 0 && dropout <= 1)) {
            throw new IllegalArgumentException("Transformer layer: dropout must be in [0, 1], got " + dropout);
        }
        if (activation == null) {
            throw new IllegalArgumentException("Transformer layer: activation must not be null");
        }
    }

    /** PyTorch's defaults for {@code dModel} and {@code nhead}. */
    public static TransformerLayerOptions of(long dModel, long nhead) {
        return new TransformerLayerOptions(dModel, nhead, 2048, 0.1, Activation.RELU, 1e-5, false, false, true);
    }

    MultiheadAttentionOptions attention() {
        return MultiheadAttentionOptions.of(dModel, nhead).withDropout(dropout).withBias(bias).withBatchFirst(batchFirst);
    }

    dev.jtorch.tensor.Tensor activate(dev.jtorch.tensor.Tensor x) {
        return activation == Activation.GELU ? dev.jtorch.nn.functional.F.gelu(x) : dev.jtorch.nn.functional.F.relu(x);
    }
}
