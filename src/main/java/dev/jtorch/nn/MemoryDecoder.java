package dev.jtorch.nn;

import dev.jtorch.tensor.Tensor;

/**
 * PyTorch's optional arguments of a decoder's {@code forward(tgt, memory, ...)}, shared by
 * {@link TransformerDecoderLayer} and {@link TransformerDecoder}: the shorter forms pass no masks
 * and no causal hints.
 */
sealed interface MemoryDecoder permits TransformerDecoder, TransformerDecoderLayer {
    /** What a decoder's {@code forward(input)} throws: it cannot run without the memory. */
    static UnsupportedOperationException withoutMemory(MemoryDecoder decoder) {
        return new UnsupportedOperationException(decoder.getClass().getSimpleName() + " needs the memory: call "
                + "forward(tgt, memory) or forward(tgt, memory, tgtMask, memoryMask, tgtKeyPaddingMask, memoryKeyPaddingMask)");
    }

    /**
     * Decodes {@code tgt} against the encoder's {@code memory}; masks may be null.
     *
     * @return the decoded sequence, shaped as {@code tgt}, owned by the current scope
     */
    Tensor forward(Tensor tgt, Tensor memory, Tensor tgtMask, Tensor memoryMask, Tensor tgtKeyPaddingMask,
                   Tensor memoryKeyPaddingMask, boolean tgtIsCausal, boolean memoryIsCausal);

    /** {@code decoder(tgt, memory)}: no masks. */
    default Tensor forward(Tensor tgt, Tensor memory) {
        return forward(tgt, memory, null, null, null, null, false, false);
    }

    /** {@code decoder(tgt, memory, tgt_mask, memory_mask, tgt_key_padding_mask, memory_key_padding_mask)}; masks may be null. */
    default Tensor forward(Tensor tgt, Tensor memory, Tensor tgtMask, Tensor memoryMask, Tensor tgtKeyPaddingMask,
                           Tensor memoryKeyPaddingMask) {
        return forward(tgt, memory, tgtMask, memoryMask, tgtKeyPaddingMask, memoryKeyPaddingMask, false, false);
    }
}
