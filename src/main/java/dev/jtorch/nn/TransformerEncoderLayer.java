package dev.jtorch.nn;

import dev.jtorch.amp.Autocast;
import dev.jtorch.autograd.NoGrad;
import dev.jtorch.tensor.Ops;
import dev.jtorch.tensor.Tensor;

/**
 * One Transformer encoder block (self-attention and feed-forward, each with a residual connection
 * and layer norm), as PyTorch's {@code nn.TransformerEncoderLayer}.
 *
 * <p>Children, with PyTorch's state-dict keys: {@code self_attn} ({@link MultiheadAttention}),
 * {@code linear1 [dimFeedforward, dModel]}, {@code dropout}, {@code linear2 [dModel, dimFeedforward]},
 * {@code norm1}, {@code norm2}, {@code dropout1}, {@code dropout2}. Post-norm computes
 * {@code x = norm1(x + sa(x)); x = norm2(x + ff(x))}; with {@code normFirst},
 * {@code x = x + sa(norm1(x)); x = x + ff(norm2(x))}.
 *
 * <p>Shapes: {@code src [S, N, E]} ({@code [N, S, E]} with {@code batchFirst}, {@code [S, E]}
 * unbatched), output the same; {@code srcMask [S, S]} or {@code [N * nhead, S, S]},
 * {@code srcKeyPaddingMask [N, S]}, bool (true = masked) or float (added).
 *
 * <p><b>Inference fast path.</b> As PyTorch's, in eval mode with nothing for autograd to record
 * (no grad mode, or no input or weight requiring grad), no autocast, no {@code srcMask} and not
 * causal, a batch-first layer with biases and an even number of heads runs as one fused libtorch
 * kernel ({@code _transformer_encoder_layer_fwd}); the results are the same up to float rounding.
 * {@link TransformerEncoder} then also skips padded tokens (nested tensors), as PyTorch does.
 */
public final class TransformerEncoderLayer extends TransformerLayerBase implements SourceEncoder {
    /** {@code nn.TransformerEncoderLayer(dModel, nhead)} with PyTorch's defaults (feed-forward 2048, dropout 0.1, relu). */
    public TransformerEncoderLayer(long dModel, long nhead) {
        this(TransformerLayerOptions.of(dModel, nhead));
    }

    /** {@code nn.TransformerEncoderLayer(dModel, nhead, dim_feedforward, dropout, batch_first=batchFirst)}. */
    public TransformerEncoderLayer(long dModel, long nhead, long dimFeedforward, double dropout, boolean batchFirst) {
        this(TransformerLayerOptions.of(dModel, nhead).withDimFeedforward(dimFeedforward).withDropout(dropout)
                .withBatchFirst(batchFirst));
    }

    /** A layer with every PyTorch option. */
    public TransformerEncoderLayer(TransformerLayerOptions options) {
        super(options, false);
    }

    /**
     * {@code layer(src, src_mask, src_key_padding_mask, is_causal)}.
     *
     * @param srcMask bool or float {@code [S, S]} or {@code [N * nhead, S, S]}, or null
     * @param srcKeyPaddingMask bool or float {@code [N, S]}, or null
     * @param isCausal apply the causal mask ({@code srcMask} may then be null; see
     *     {@link MultiheadAttention#forward(Tensor, Tensor, Tensor, Tensor, boolean, Tensor, boolean, boolean)})
     * @return the encoded sequence, owned by the current scope
     * @throws IllegalArgumentException naming the argument whose shape does not fit
     */
    @Override
    public Tensor forward(Tensor src, Tensor srcMask, Tensor srcKeyPaddingMask, boolean isCausal) {
        checkOpen();
        if (srcMask == null && !isCausal && fastPath(src)) {
            return ENCODER_LAYER_FWD.tensor(src, options.dModel(), options.nhead(), selfAttn.inProjWeight(),
                    selfAttn.inProjBias(), selfAttn.outProj().weight(), selfAttn.outProj().bias(),
                    options.activation() == TransformerLayerOptions.Activation.GELU, options.normFirst(),
                    options.layerNormEps(), norm1.weight(), norm1.bias(), norm2.weight(), norm2.bias(),
                    linear1.weight(), linear1.bias(), linear2.weight(), linear2.bias(), srcKeyPaddingMask,
                    srcKeyPaddingMask == null ? null : KEY_PADDING_MASK);
        }
        Tensor x = src;
        if (options.normFirst()) {
            x = x.add(selfAttention(norm1.forward(x), srcMask, srcKeyPaddingMask, isCausal));
            x = x.add(feedForward(norm2.forward(x)));
        } else {
            x = norm1.forward(x.add(selfAttention(x, srcMask, srcKeyPaddingMask, isCausal)));
            x = norm2.forward(x.add(feedForward(x)));
        }
        return x;
    }

    private static final Ops.Op ENCODER_LAYER_FWD = Ops.of("aten::_transformer_encoder_layer_fwd");
    /** The fused kernel's {@code mask_type} for a {@code [N, S]} key padding mask. */
    private static final Long KEY_PADDING_MASK = 1L;

    /**
     * Whether the fused kernel can compute this layer at all (PyTorch's structural conditions:
     * batch first, biases, an even number of heads; the layer's attention always projects queries,
     * keys and values from {@code dModel}, and both norms share one epsilon).
     */
    boolean fusable() {
        return options.batchFirst() && options.bias() && options.nhead() % 2 == 0;
    }

    /** Whether a forward of {@code src} without attention mask takes the fused kernel now. */
    boolean fastPath(Tensor src) {
        if (isTraining() || !fusable() || src.dim() != 3 || Autocast.isEnabled(src.device())) {
            return false;
        }
        return !NoGrad.isGradEnabled() || !(src.requiresGrad() || parameters().stream().anyMatch(Tensor::requiresGrad));
    }

    /** The self-attention child. */
    public MultiheadAttention selfAttn() {
        return selfAttn;
    }
}
