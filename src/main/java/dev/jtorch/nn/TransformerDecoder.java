package dev.jtorch.nn;

import dev.jtorch.tensor.Tensor;

/**
 * A stack of {@code numLayers} identical decoder layers and an optional final norm, as PyTorch's
 * {@code nn.TransformerDecoder}: keys {@code layers.0.self_attn.in_proj_weight}, ...,
 * {@code norm.weight}.
 *
 * <p>As PyTorch (which deep-copies its {@code decoder_layer}), every layer starts with the same
 * weights. <b>Ownership:</b> the decoder takes {@code decoderLayer} as {@code layers.0} and copies
 * it for the others; {@code norm} becomes its child too.
 */
public final class TransformerDecoder extends TransformerStack<TransformerDecoderLayer> implements MemoryDecoder {
    /** {@code nn.TransformerDecoder(decoderLayer, numLayers)}. */
    public TransformerDecoder(TransformerDecoderLayer decoderLayer, int numLayers) {
        this(decoderLayer, numLayers, null);
    }

    /**
     * {@code nn.TransformerDecoder(decoderLayer, numLayers, norm)}.
     *
     * @param decoderLayer the first layer, owned by the decoder from now on
     * @param norm a final layer norm, or null
     * @throws IllegalArgumentException if {@code numLayers < 1} or {@code decoderLayer} is null
     */
    public TransformerDecoder(TransformerDecoderLayer decoderLayer, int numLayers, LayerNorm norm) {
        super(decoderLayer, numLayers, norm, "a decoder layer", TransformerDecoderLayer::new);
    }

    /**
     * Each layer in turn, then the norm.
     *
     * @return the decoded sequence, owned by the current scope
     * @see TransformerDecoderLayer#forward(Tensor, Tensor, Tensor, Tensor, Tensor, Tensor, boolean, boolean)
     */
    @Override
    public Tensor forward(Tensor tgt, Tensor memory, Tensor tgtMask, Tensor memoryMask, Tensor tgtKeyPaddingMask,
                          Tensor memoryKeyPaddingMask, boolean tgtIsCausal, boolean memoryIsCausal) {
        checkOpen();
        Tensor x = tgt;
        for (TransformerDecoderLayer layer : layers()) {
            x = layer.forward(x, memory, tgtMask, memoryMask, tgtKeyPaddingMask, memoryKeyPaddingMask, tgtIsCausal,
                    memoryIsCausal);
        }
        return finalNorm(x);
    }
}
