package dev.jtorch.nn;

import dev.jtorch.tensor.Tensor;

/**
 * PyTorch's optional argument of an encoder's {@code forward(src, mask, src_key_padding_mask, is_causal)},
 * shared by {@link TransformerEncoderLayer} and {@link TransformerEncoder}: the shorter form is not
 * causal.
 */
sealed interface SourceEncoder permits TransformerEncoder, TransformerEncoderLayer {
    /**
     * Encodes {@code src}; masks may be null.
     *
     * @return the encoded sequence, shaped as {@code src}, owned by the current scope
     */
    Tensor forward(Tensor src, Tensor mask, Tensor srcKeyPaddingMask, boolean isCausal);

    /** {@code encoder(src, mask, src_key_padding_mask)}: not causal; masks may be null. */
    default Tensor forward(Tensor src, Tensor mask, Tensor srcKeyPaddingMask) {
        return forward(src, mask, srcKeyPaddingMask, false);
    }
}
