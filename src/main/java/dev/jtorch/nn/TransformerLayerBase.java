package dev.jtorch.nn;

import dev.jtorch.tensor.Tensor;
import java.util.function.Function;

/**
 * What {@link TransformerEncoderLayer} and {@link TransformerDecoderLayer} share: the children,
 * registered in PyTorch's order ({@code self_attn}, the decoder's {@code multihead_attn},
 * {@code linear1}, {@code dropout}, {@code linear2}, {@code norm1..}, {@code dropout1..}), the
 * self-attention and feed-forward blocks, and the copy a stack makes of its first layer.
 */
abstract sealed class TransformerLayerBase extends Module permits TransformerEncoderLayer, TransformerDecoderLayer {
    final TransformerLayerOptions options;
    final MultiheadAttention selfAttn;
    /** The decoder's attention over the memory; null in an encoder layer. */
    final MultiheadAttention multiheadAttn;
    final Linear linear1;
    final Dropout dropout;
    final Linear linear2;
    final LayerNorm norm1;
    final LayerNorm norm2;
    /** The decoder's third norm; null in an encoder layer. */
    final LayerNorm norm3;
    final Dropout dropout1;
    final Dropout dropout2;
    /** The decoder's third dropout; null in an encoder layer. */
    final Dropout dropout3;

    /** Registers the children of an encoder layer, or with {@code decoder} those of a decoder layer. */
    TransformerLayerBase(TransformerLayerOptions options, boolean decoder) {
        this.options = options;
        long d = options.dModel();
        long ff = options.dimFeedforward();
        selfAttn = register("self_attn", new MultiheadAttention(options.attention()));
        multiheadAttn = decoder ? register("multihead_attn", new MultiheadAttention(options.attention())) : null;
        linear1 = register("linear1", new Linear(d, ff, options.bias()));
        dropout = register("dropout", new Dropout(options.dropout()));
        linear2 = register("linear2", new Linear(ff, d, options.bias()));
        norm1 = register("norm1", newNorm());
        norm2 = register("norm2", newNorm());
        norm3 = decoder ? register("norm3", newNorm()) : null;
        dropout1 = register("dropout1", new Dropout(options.dropout()));
        dropout2 = register("dropout2", new Dropout(options.dropout()));
        dropout3 = decoder ? register("dropout3", new Dropout(options.dropout())) : null;
    }

    private LayerNorm newNorm() {
        return new LayerNorm(new long[] {options.dModel()}, options.layerNormEps(), true, options.bias());
    }

    /**
     * A new layer made by {@code constructor} with the same options, a copy of this layer's
     * weights and its training mode; the new layer is closed again if the copy fails. The default
     * generator ends where it started, as after PyTorch's {@code deepcopy}.
     */
    final <L extends TransformerLayerBase> L copy(Function<TransformerLayerOptions, L> constructor) {
        // PyTorch deep-copies, drawing nothing: the copy's throw-away initialisation must not move the
        // default generator either, or what is drawn after the stack (nn.Transformer's xavier pass) differs
        byte[] rng = dev.jtorch.Torch.rngState();
        L c;
        try {
            c = constructor.apply(options);
        } finally {
            dev.jtorch.Torch.setRngState(rng);
        }
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
     * An encoder's {@code forward(input, null, null, false)}: no masks, not causal. Not defined for a
     * decoder, which needs the encoder's memory.
     *
     * @throws UnsupportedOperationException for a decoder, naming {@code forward(tgt, memory)}
     */
    @Override
    public final Tensor forward(Tensor input) {
        if (this instanceof SourceEncoder encoder) {
            return encoder.forward(input, null, null, false);
        }
        throw MemoryDecoder.withoutMemory((MemoryDecoder) this);
    }

    /** The self-attention block with its dropout. */
    final Tensor selfAttention(Tensor x, Tensor mask, Tensor keyPaddingMask, boolean isCausal) {
        return dropout1.forward(selfAttn.forward(x, x, x, keyPaddingMask, false, mask, true, isCausal).output());
    }

    /** The feed-forward block; its last dropout is the layer's last one, as in PyTorch. */
    final Tensor feedForward(Tensor x) {
        Dropout last = dropout3 != null ? dropout3 : dropout2;
        return last.forward(linear2.forward(dropout.forward(options.activate(linear1.forward(x)))));
    }

    /** The options this layer was built with. */
    public final TransformerLayerOptions options() {
        return options;
    }
}
