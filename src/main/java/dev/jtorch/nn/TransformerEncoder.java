package dev.jtorch.nn;

import dev.jtorch.tensor.Tensor;

/**
 * A stack of {@code numLayers} identical encoder layers and an optional final norm, as PyTorch's
 * {@code nn.TransformerEncoder}: keys {@code layers.0.self_attn.in_proj_weight}, ...,
 * {@code norm.weight}.
 *
 * <p>As PyTorch (which deep-copies its {@code encoder_layer}), every layer starts with the same
 * weights. <b>Ownership:</b> the encoder takes {@code encoderLayer} as {@code layers.0} and copies
 * it for the others; {@code norm} becomes its child too. Closing the encoder closes them.
 */
public final class TransformerEncoder extends Module {
    private final ModuleList<TransformerEncoderLayer> layers;
    private final LayerNorm norm;

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
        if (encoderLayer == null || numLayers < 1) {
            throw new IllegalArgumentException("TransformerEncoder needs an encoder layer and numLayers >= 1, got "
                    + numLayers);
        }
        layers = register("layers", new ModuleList<>());
        layers.add(encoderLayer);
        for (int i = 1; i < numLayers; i++) {
            layers.add(encoderLayer.copy());
        }
        this.norm = norm == null ? null : register("norm", norm);
    }

    /** Encodes {@code src} without masks. */
    @Override
    public Tensor forward(Tensor src) {
        return forward(src, null, null, false);
    }

    /** {@code encoder(src, mask, src_key_padding_mask)}; masks may be null. */
    public Tensor forward(Tensor src, Tensor mask, Tensor srcKeyPaddingMask) {
        return forward(src, mask, srcKeyPaddingMask, false);
    }

    /**
     * {@code encoder(src, mask, src_key_padding_mask, is_causal)}: each layer in turn, then the norm.
     *
     * @return the encoded sequence, owned by the current scope
     * @see TransformerEncoderLayer#forward(Tensor, Tensor, Tensor, boolean)
     */
    public Tensor forward(Tensor src, Tensor mask, Tensor srcKeyPaddingMask, boolean isCausal) {
        checkOpen();
        Tensor x = src;
        for (TransformerEncoderLayer layer : layers) {
            x = layer.forward(x, mask, srcKeyPaddingMask, isCausal);
        }
        return norm == null ? x : norm.forward(x);
    }

    /** The layers. */
    public ModuleList<TransformerEncoderLayer> layers() {
        return layers;
    }

    /** The final norm, or null. */
    public LayerNorm norm() {
        return norm;
    }
}
