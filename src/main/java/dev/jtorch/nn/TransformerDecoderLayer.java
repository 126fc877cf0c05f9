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
public final class TransformerDecoderLayer extends Module {
    private final TransformerLayerOptions options;
    private final MultiheadAttention selfAttn;
    private final MultiheadAttention multiheadAttn;
    private final Linear linear1;
    private final Dropout dropout;
    private final Linear linear2;
    private final LayerNorm norm1;
    private final LayerNorm norm2;
    private final LayerNorm norm3;
    private final Dropout dropout1;
    private final Dropout dropout2;
    private final Dropout dropout3;

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
        this.options = options;
        long d = options.dModel();
        long ff = options.dimFeedforward();
        selfAttn = register("self_attn", new MultiheadAttention(options.attention()));
        multiheadAttn = register("multihead_attn", new MultiheadAttention(options.attention()));
        linear1 = register("linear1", new Linear(d, ff, options.bias()));
        dropout = register("dropout", new Dropout(options.dropout()));
        linear2 = register("linear2", new Linear(ff, d, options.bias()));
        long[] shape = {d};
        norm1 = register("norm1", new LayerNorm(shape, options.layerNormEps(), true, options.bias()));
        norm2 = register("norm2", new LayerNorm(shape, options.layerNormEps(), true, options.bias()));
        norm3 = register("norm3", new LayerNorm(shape, options.layerNormEps(), true, options.bias()));
        dropout1 = register("dropout1", new Dropout(options.dropout()));
        dropout2 = register("dropout2", new Dropout(options.dropout()));
        dropout3 = register("dropout3", new Dropout(options.dropout()));
    }

    /** A new layer with the same options and a copy of this layer's weights. */
    TransformerDecoderLayer copy() {
        TransformerDecoderLayer c = new TransformerDecoderLayer(options);
        try {
            c.loadStateDict(stateDict());
            c.train(isTraining());
            return c;
        } catch (RuntimeException e) {
            c.close();
            throw e;
        }
    }

    /**
     * Not defined: a decoder layer needs the encoder's memory.
     *
     * @throws UnsupportedOperationException always, naming {@link #forward(Tensor, Tensor)}
     */
    @Override
    public Tensor forward(Tensor input) {
        throw new UnsupportedOperationException("TransformerDecoderLayer needs the memory: call forward(tgt, memory) or "
                + "forward(tgt, memory, tgtMask, memoryMask, tgtKeyPaddingMask, memoryKeyPaddingMask)");
    }

    /** {@code layer(tgt, memory)}. */
    public Tensor forward(Tensor tgt, Tensor memory) {
        return forward(tgt, memory, null, null, null, null, false, false);
    }

    /** {@code layer(tgt, memory, tgt_mask, memory_mask, tgt_key_padding_mask, memory_key_padding_mask)}; masks may be null. */
    public Tensor forward(Tensor tgt, Tensor memory, Tensor tgtMask, Tensor memoryMask, Tensor tgtKeyPaddingMask,
                          Tensor memoryKeyPaddingMask) {
        return forward(tgt, memory, tgtMask, memoryMask, tgtKeyPaddingMask, memoryKeyPaddingMask, false, false);
    }

    /**
     * {@code layer(tgt, memory, tgt_mask, memory_mask, tgt_key_padding_mask, memory_key_padding_mask,
     * tgt_is_causal, memory_is_causal)}.
     *
     * @return the decoded sequence, shaped as {@code tgt}, owned by the current scope
     * @throws IllegalArgumentException naming the argument whose shape does not fit
     */
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

    private Tensor selfAttention(Tensor x, Tensor mask, Tensor keyPaddingMask, boolean isCausal) {
        return dropout1.forward(selfAttn.forward(x, x, x, keyPaddingMask, false, mask, true, isCausal).output());
    }

    private Tensor crossAttention(Tensor x, Tensor mem, Tensor mask, Tensor keyPaddingMask, boolean isCausal) {
        return dropout2.forward(multiheadAttn.forward(x, mem, mem, keyPaddingMask, false, mask, true, isCausal).output());
    }

    private Tensor feedForward(Tensor x) {
        return dropout3.forward(linear2.forward(dropout.forward(options.activate(linear1.forward(x)))));
    }

    /** The options this layer was built with. */
    public TransformerLayerOptions options() {
        return options;
    }
}
