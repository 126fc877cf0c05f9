package dev.jtorch.nn;

import dev.jtorch.tensor.Ops;
import dev.jtorch.tensor.Tensor;

/**
 * A stack of {@code numLayers} identical encoder layers and an optional final norm, as PyTorch's
 * {@code nn.TransformerEncoder}: keys {@code layers.0.self_attn.in_proj_weight}, ...,
 * {@code norm.weight}.
 *
 * <p>As PyTorch (which deep-copies its {@code encoder_layer}), every layer starts with the same
 * weights. <b>Ownership:</b> the encoder takes {@code encoderLayer} as {@code layers.0} and copies
 * it for the others; {@code norm} becomes its child too. Closing the encoder closes them.
 *
 * <p><b>Inference fast path.</b> When the layers take their fused kernel (see
 * {@link TransformerEncoderLayer}) and a {@code srcKeyPaddingMask} pads only the ends of the
 * sequences, the encoder runs the layers on a nested tensor of the real tokens, as PyTorch's
 * {@code enable_nested_tensor=True} does, and pads the result with zeros again: outputs at padded
 * positions are then 0, where the training path computes values that the mask keeps out of every
 * real token's result.
 */
public final class TransformerEncoder extends TransformerStack<TransformerEncoderLayer> implements SourceEncoder {
    private final boolean enableNestedTensor;

    /** {@code nn.TransformerEncoder(encoderLayer, numLayers)}. */
    public TransformerEncoder(TransformerEncoderLayer encoderLayer, int numLayers) {
        this(encoderLayer, numLayers, null);
    }

    /**
     * {@code nn.TransformerEncoder(encoderLayer, numLayers, norm)}.
     *
     * @param encoderLayer the first layer, owned by the encoder from now on
     * @param norm a final layer norm, or null
     * @throws IllegalArgumentException if {@code numLayers < 1} or {@code encoderLayer} is null
     */
    public TransformerEncoder(TransformerEncoderLayer encoderLayer, int numLayers, LayerNorm norm) {
        this(encoderLayer, numLayers, norm, true);
    }

    /**
     * {@code nn.TransformerEncoder(encoderLayer, numLayers, norm, enable_nested_tensor)}: false keeps
     * padded tokens in the inference fast path (their outputs are then computed, not zero).
     *
     * @see #TransformerEncoder(TransformerEncoderLayer, int, LayerNorm)
     */
    public TransformerEncoder(TransformerEncoderLayer encoderLayer, int numLayers, LayerNorm norm,
                              boolean enableNestedTensor) {
        super(encoderLayer, numLayers, norm, "an encoder layer", TransformerEncoderLayer::new);
        this.enableNestedTensor = enableNestedTensor;
    }

    /**
     * {@code encoder(src, mask, src_key_padding_mask, is_causal)}: each layer in turn, then the norm.
     *
     * @return the encoded sequence, owned by the current scope
     * @see TransformerEncoderLayer#forward(Tensor, Tensor, Tensor, boolean)
     */
    @Override
    public Tensor forward(Tensor src, Tensor mask, Tensor srcKeyPaddingMask, boolean isCausal) {
        checkOpen();
        Tensor x = src;
        Tensor padding = srcKeyPaddingMask;
        boolean nested = false;
        if (srcKeyPaddingMask != null && mask == null && !isCausal && nestable(src)) {
            Tensor keep = srcKeyPaddingMask.logicalNot();
            if (LEFT_ALIGNED.bool(src, keep)) {
                x = FROM_MASK.tensor(src, keep, false);
                padding = null;
                nested = true;
            }
        }
        for (TransformerEncoderLayer layer : layers()) {
            x = layer.forward(x, mask, padding, isCausal);
        }
        if (nested) {
            x = x.toPaddedTensor(0.0, src.shape().toArray());
        }
        return finalNorm(x);
    }

    private static final Ops.Op FROM_MASK = Ops.of("aten::_nested_tensor_from_mask");
    private static final Ops.Op LEFT_ALIGNED = Ops.of("aten::_nested_tensor_from_mask_left_aligned");

    /**
     * PyTorch's conditions for the nested path: enabled, every layer fusable and post-norm, the
     * first taking its fast path.
     */
    private boolean nestable(Tensor src) {
        if (!enableNestedTensor) {
            return false;
        }
        for (TransformerEncoderLayer layer : layers()) {
            if (!layer.fusable() || layer.options().normFirst()) {
                return false;
            }
        }
        return layers().get(0).fastPath(src);
    }
}
