package dev.jtorch.nn;

import dev.jtorch.tensor.Tensor;

/**
 * One Transformer decoder block (self-attention, attention over the encoder's memory and
 * feed-forward, each with a residual connection and layer norm), as PyTorch's
 * {@code nn.TransformerDecoderLayer}.
 *
 * <p>Children, with PyTorch's state-dict keys: {@code self_attn}, {@code multihead_attn},
 * {@code linear1}, {@code dropout}, {@code linear2}, {@code norm1}, {@code norm2}, {@code norm3},
 * {@code dropout1..3}. Shapes: {@code tgt [T, N, E]}, {@code memory [S, N, E]} (batch first:
 * {@code [N, T, E]}, {@code [N, S, E]}); {@code tgtMask [T, T]}, {@code memoryMask [T, S]},
 * {@code tgtKeyPaddingMask [N, T]}, {@code memoryKeyPaddingMask [N, S]}, bool (true = masked) or float.
 */
public final class TransformerDecoderLayer extends TransformerLayerBase implements MemoryDecoder {
    /** {@code nn.TransformerDecoderLayer(dModel, nhead)} with PyTorch's defaults. */
    public TransformerDecoderLayer(long dModel, long nhead) {
        this(TransformerLayerOptions.of(dModel, nhead));
    }

    /** {@code nn.TransformerDecoderLayer(dModel, nhead, dim_feedforward, dropout, batch_first=batchFirst)}. */
    public TransformerDecoderLayer(long dModel, long nhead, long dimFeedforward, double dropout, boolean batchFirst) {
        this(TransformerLayerOptions.of(dModel, nhead).withDimFeedforward(dimFeedforward).withDropout(dropout)
                .withBatchFirst(batchFirst));
    }

    /** A layer with every PyTorch option. */
    public TransformerDecoderLayer(TransformerLayerOptions options) {
        super(options, true);
    }

    /**
     * {@code layer(tgt, memory, tgt_mask, memory_mask, tgt_key_padding_mask, memory_key_padding_mask,
     * tgt_is_causal, memory_is_causal)}.
     *
     * @return the decoded sequence, shaped as {@code tgt}, owned by the current scope
     * @throws IllegalArgumentException naming the argument whose shape does not fit
     */
    @Override
    public Tensor forward(Tensor tgt, Tensor memory, Tensor tgtMask, Tensor memoryMask, Tensor tgtKeyPaddingMask,
                          Tensor memoryKeyPaddingMask, boolean tgtIsCausal, boolean memoryIsCausal) {
        checkOpen();
        if (tgt == null || memory == null) {
            throw new IllegalArgumentException("TransformerDecoderLayer: tgt and memory must not be null");
        }
        Tensor x = tgt;
        if (options.normFirst()) {
            x = x.add(selfAttention(norm1.forward(x), tgtMask, tgtKeyPaddingMask, tgtIsCausal));
            x = x.add(crossAttention(norm2.forward(x), memory, memoryMask, memoryKeyPaddingMask, memoryIsCausal));
            x = x.add(feedForward(norm3.forward(x)));
        } else {
            x = norm1.forward(x.add(selfAttention(x, tgtMask, tgtKeyPaddingMask, tgtIsCausal)));
            x = norm2.forward(x.add(crossAttention(x, memory, memoryMask, memoryKeyPaddingMask, memoryIsCausal)));
            x = norm3.forward(x.add(feedForward(x)));
        }
        return x;
    }

    private Tensor crossAttention(Tensor x, Tensor mem, Tensor mask, Tensor keyPaddingMask, boolean isCausal) {
        return dropout2.forward(multiheadAttn.forward(x, mem, mem, keyPaddingMask, false, mask, true, isCausal).output());
    }
}
