package dev.jtorch.nn;

import dev.jtorch.DType;
import dev.jtorch.nn.functional.F;
import dev.jtorch.tensor.Shape;
import dev.jtorch.tensor.Tensor;
import java.util.List;

/**
 * Multi-head attention, as PyTorch's {@code nn.MultiheadAttention}:
 * {@code softmax(Q K^T / sqrt(headDim) + mask) V} per head, with input and output projections.
 *
 * <p>Parameters, with PyTorch's state-dict keys and order: {@code in_proj_weight [3E, E]} (or
 * {@code q_proj_weight [E, E]}, {@code k_proj_weight [E, kdim]}, {@code v_proj_weight [E, vdim]} when
 * {@code kdim} or {@code vdim} differ from {@code E}), {@code in_proj_bias [3E]},
 * {@code bias_k}/{@code bias_v [1, 1, E]} with {@code addBiasKv}, then the child
 * {@code out_proj} ({@code out_proj.weight [E, E]}, {@code out_proj.bias [E]}). Initialisation as
 * PyTorch: Xavier-uniform projection weights, zero biases, Xavier-normal {@code bias_k/bias_v},
 * {@code out_proj.weight} as {@link Linear}.
 *
 * <p>Shapes (sequence first; with {@code batchFirst} swap {@code L}/{@code S} and {@code N}):
 * query {@code [L, N, E]}, key {@code [S, N, kdim]}, value {@code [S, N, vdim]}, or unbatched
 * {@code [L, E]}, {@code [S, kdim]}, {@code [S, vdim]}; output {@code [L, N, E]}. Masks follow
 * PyTorch: a bool mask is true where attention is <em>not</em> allowed, a float mask is added to
 * the scores; {@code keyPaddingMask [N, S]} ({@code [S]} unbatched), {@code attnMask [L, S]} or
 * {@code [N * numHeads, L, S]}. Attention weights are {@code [N, L, S]} averaged over heads, or
 * {@code [N, numHeads, L, S]}.
 *
 * <p>Without weights the attention runs on libtorch's {@code scaled_dot_product_attention}; with
 * weights it runs the explicit softmax as PyTorch's {@code F.multi_head_attention_forward}.
 */
public final class MultiheadAttention extends Module {
    /**
     * The result of a forward: the attention output and, when requested, the attention weights
     * (both owned by the caller's scope).
     *
     * @param output {@code [L, N, E]} ({@code [N, L, E]} batch first, {@code [L, E]} unbatched)
     * @param weights {@code [N, L, S]} or {@code [N, numHeads, L, S]}, or null when not requested
     */
    public record Output(Tensor output, Tensor weights) {}

    private final MultiheadAttentionOptions options;
    private final long embedDim;
    private final long numHeads;
    private final long headDim;
    private final boolean sameEmbedDim;
    private final Tensor inProjWeight;
    private final Tensor qProjWeight;
    private final Tensor kProjWeight;
    private final Tensor vProjWeight;
    private final Tensor inProjBias;
    private final Tensor biasK;
    private final Tensor biasV;
    private final Linear outProj;

    /** {@code nn.MultiheadAttention(embedDim, numHeads)}. */
    public MultiheadAttention(long embedDim, long numHeads) {
        this(MultiheadAttentionOptions.of(embedDim, numHeads));
    }

    /** {@code nn.MultiheadAttention(embedDim, numHeads, dropout, batch_first=batchFirst)}. */
    public MultiheadAttention(long embedDim, long numHeads, double dropout, boolean batchFirst) {
        this(MultiheadAttentionOptions.of(embedDim, numHeads).withDropout(dropout).withBatchFirst(batchFirst));
    }

    /** A layer with every PyTorch option. */
    public MultiheadAttention(MultiheadAttentionOptions options) {
        this.options = options;
        this.embedDim = options.embedDim();
        this.numHeads = options.numHeads();
        this.headDim = embedDim / numHeads;
        long kdim = options.keyDim();
        long vdim = options.valueDim();
        this.sameEmbedDim = kdim == embedDim && vdim == embedDim;
        long e = embedDim;
        if (sameEmbedDim) {
            inProjWeight = registerParameter("in_proj_weight", () -> xavierUniform(3 * e, e));
            qProjWeight = kProjWeight = vProjWeight = null;
        } else {
            inProjWeight = null;
            qProjWeight = registerParameter("q_proj_weight", () -> xavierUniform(e, e));
            kProjWeight = registerParameter("k_proj_weight", () -> xavierUniform(e, kdim));
            vProjWeight = registerParameter("v_proj_weight", () -> xavierUniform(e, vdim));
        }
        inProjBias = options.bias() ? registerParameter("in_proj_bias", () -> Tensor.zeros(3 * e)) : null;
        // PyTorch registers out_proj before bias_k/bias_v, but parameters precede children in the
        // state dict, so the keys come out in PyTorch's order either way.
        outProj = register("out_proj", new Linear(e, e, options.bias()));
        if (options.bias()) {
            try (dev.jtorch.tensor.TensorScope s = dev.jtorch.tensor.TensorScope.open();
                 dev.jtorch.autograd.NoGrad g = dev.jtorch.autograd.NoGrad.enter()) {
                outProj.bias().fill_(0.0);
            }
        }
        if (options.addBiasKv()) {
            // xavier_normal_ on [1, 1, E]: fan_in = fan_out = E.
            double std = Math.sqrt(2.0 / (2.0 * e));
            biasK = registerParameter("bias_k", () -> Tensor.zeros(1, 1, e).normal_(0.0, std));
            biasV = registerParameter("bias_v", () -> Tensor.zeros(1, 1, e).normal_(0.0, std));
        } else {
            biasK = biasV = null;
        }
    }

    private static Tensor xavierUniform(long out, long in) {
        double bound = Math.sqrt(6.0 / (in + out));
        return Tensor.zeros(out, in).uniform_(-bound, bound);
    }

    /**
     * Self-attention of {@code x} ({@code forward(x, x, x)} without weights).
     *
     * @return the attention output, owned by the current scope
     */
    @Override
    public Tensor forward(Tensor x) {
        return forward(x, x, x, null, false, null, true, false).output();
    }

    /** {@code mha(query, key, value)}: PyTorch's defaults, weights averaged over heads. */
    public Output forward(Tensor query, Tensor key, Tensor value) {
        return forward(query, key, value, null, true, null, true, false);
    }

    /** {@code mha(query, key, value, key_padding_mask, need_weights, attn_mask)}; masks may be null. */
    public Output forward(Tensor query, Tensor key, Tensor value, Tensor keyPaddingMask, boolean needWeights,
                          Tensor attnMask) {
        return forward(query, key, value, keyPaddingMask, needWeights, attnMask, true, false);
    }

    /**
     * {@code mha(query, key, value, key_padding_mask, need_weights, attn_mask, average_attn_weights,
     * is_causal)}.
     *
     * <p>{@code isCausal} with a null {@code attnMask} applies the causal mask (position {@code i}
     * attends to keys {@code 0..i}); PyTorch requires the mask itself then and treats the flag as a
     * hint. With a mask given the flag is such a hint, as in PyTorch.
     *
     * @param keyPaddingMask bool (true = ignore that key) or float (added), {@code [N, S]}, or null
     * @param needWeights whether to return the attention weights (explicit softmax path)
     * @param attnMask bool or float {@code [L, S]} or {@code [N * numHeads, L, S]}, or null
     * @param averageAttnWeights whether weights are averaged over heads
     * @return the output and the weights (null unless {@code needWeights}), owned by the current scope
     * @throws IllegalArgumentException naming the argument whose shape or dtype does not fit
     */
    public Output forward(Tensor query, Tensor key, Tensor value, Tensor keyPaddingMask, boolean needWeights,
                          Tensor attnMask, boolean averageAttnWeights, boolean isCausal) {
        checkOpen();
        if (query == null || key == null || value == null) {
            throw new IllegalArgumentException("MultiheadAttention: query, key and value must not be null");
        }
        boolean swap = options.batchFirst() && query.dim() == 3;
        if (swap) {
            Tensor q = query.transpose(1, 0);
            Tensor k = key == query ? q : key.transpose(1, 0);
            Tensor v = value == key ? k : value == query ? q : value.transpose(1, 0);
            query = q;
            key = k;
            value = v;
        }
        Output r = attention(query, key, value, keyPaddingMask, needWeights, attnMask, averageAttnWeights, isCausal);
        return swap ? new Output(r.output().transpose(1, 0), r.weights()) : r;
    }

    /** PyTorch's {@code _canonical_mask}: a bool mask becomes a float one with -inf where true. */
    static Tensor canonicalMask(Tensor mask, String name, DType target) {
        if (mask == null) {
            return null;
        }
        if (mask.dtype() == DType.BOOL) {
            return Tensor.zeros(mask.shape(), target, mask.device()).maskedFill(mask, Double.NEGATIVE_INFINITY);
        }
        if (!mask.dtype().isFloatingPoint()) {
            throw new IllegalArgumentException("MultiheadAttention: only bool and floating types of masks are supported, "
                    + name + " is " + mask.dtype());
        }
        return mask;
    }

    private boolean checkShapes(Tensor query, Tensor key, Tensor value, Tensor keyPaddingMask, Tensor attnMask) {
        int d = query.dim();
        if (d != 2 && d != 3) {
            throw new IllegalArgumentException("MultiheadAttention: query should be unbatched 2-D or batched 3-D, got "
                    + query.shape());
        }
        boolean batched = d == 3;
        // PyTorch's _mha_shape_check: key and value share the query's rank, the padding mask has one less
        String kind = (batched ? "batched" : "unbatched") + " (" + d + "-D) query";
        if (key.dim() != d || value.dim() != d) {
            throw new IllegalArgumentException("MultiheadAttention: for " + kind + " " + query.shape() + ", key "
                    + key.shape() + " and value " + value.shape() + " must be " + d + "-D");
        }
        if (keyPaddingMask != null && keyPaddingMask.dim() != d - 1) {
            throw new IllegalArgumentException("MultiheadAttention: for " + kind + ", key_padding_mask must be " + (d - 1)
                    + "-D, got " + keyPaddingMask.shape());
        }
        if (!batched && attnMask != null && attnMask.dim() == 3 && attnMask.size(0) != numHeads) {
            throw new IllegalArgumentException("MultiheadAttention: for " + kind + ", a 3-D attn_mask must be ["
                    + numHeads + ", L, S], got " + attnMask.shape());
        }
        if (attnMask != null && attnMask.dim() != 2 && attnMask.dim() != 3) {
            throw new IllegalArgumentException("MultiheadAttention: attn_mask must be 2-D or 3-D, got " + attnMask.shape());
        }
        return batched;
    }

    private Output attention(Tensor query, Tensor key, Tensor value, Tensor keyPaddingMask, boolean needWeights,
                             Tensor attnMask, boolean average, boolean isCausal) {
        boolean batched = checkShapes(query, key, value, keyPaddingMask, attnMask);
        if (!batched) {
            Tensor q = query.unsqueeze(1);
            Tensor k = key == query ? q : key.unsqueeze(1);
            Tensor v = value == key ? k : value == query ? q : value.unsqueeze(1);
            query = q;
            key = k;
            value = v;
            if (keyPaddingMask != null) {
                keyPaddingMask = keyPaddingMask.unsqueeze(0);
            }
        }
        long tgtLen = query.size(0);
        long bsz = query.size(1);
        long srcLen = key.size(0);
        if (query.size(2) != embedDim) {
            throw new IllegalArgumentException("MultiheadAttention: query of shape " + query.shape() + " must have "
                    + embedDim + " features (embed_dim)");
        }
        if (key.size(2) != options.keyDim() || value.size(2) != options.valueDim()) {
            throw new IllegalArgumentException("MultiheadAttention: key " + key.shape() + " and value " + value.shape()
                    + " must have " + options.keyDim() + " and " + options.valueDim() + " features (kdim, vdim)");
        }
        if (key.size(1) != bsz || value.size(1) != bsz || value.size(0) != srcLen) {
            throw new IllegalArgumentException("MultiheadAttention: key " + key.shape() + " and value " + value.shape()
                    + " must share the sequence length and have the query's batch size " + bsz);
        }
        if (keyPaddingMask != null && (keyPaddingMask.size(0) != bsz || keyPaddingMask.size(1) != srcLen)) {
            throw new IllegalArgumentException("MultiheadAttention: key_padding_mask of shape " + keyPaddingMask.shape()
                    + " must be [" + bsz + ", " + srcLen + "] (batch, source length)");
        }
        DType dtype = query.dtype();
        keyPaddingMask = canonicalMask(keyPaddingMask, "key_padding_mask", dtype);
        boolean sdpaCausal = false;
        if (isCausal && attnMask == null && keyPaddingMask == null && !needWeights) {
            sdpaCausal = true;
        } else {
            if (isCausal && attnMask == null) {
                attnMask = Tensor.full(Shape.of(tgtLen, srcLen), Double.NEGATIVE_INFINITY, dtype, query.device()).triu(1);
            }
            attnMask = canonicalMask(attnMask, "attn_mask", dtype);
        }

        // in-projection
        Tensor q;
        Tensor k;
        Tensor v;
        if (sameEmbedDim) {
            if (query == key && key == value) {
                List<Tensor> qkv = F.linear(query, inProjWeight, inProjBias).chunk(3, -1);
                q = qkv.get(0);
                k = qkv.get(1);
                v = qkv.get(2);
            } else {
                List<Tensor> w = inProjWeight.chunk(3);
                List<Tensor> b = inProjBias == null ? null : inProjBias.chunk(3);
                q = F.linear(query, w.get(0), b == null ? null : b.get(0));
                k = F.linear(key, w.get(1), b == null ? null : b.get(1));
                v = F.linear(value, w.get(2), b == null ? null : b.get(2));
            }
        } else {
            List<Tensor> b = inProjBias == null ? null : inProjBias.chunk(3);
            q = F.linear(query, qProjWeight, b == null ? null : b.get(0));
            k = F.linear(key, kProjWeight, b == null ? null : b.get(1));
            v = F.linear(value, vProjWeight, b == null ? null : b.get(2));
        }

        if (attnMask != null) {
            if (attnMask.dim() == 2) {
                if (attnMask.size(0) != tgtLen || attnMask.size(1) != srcLen) {
                    throw new IllegalArgumentException("MultiheadAttention: 2-D attn_mask of shape " + attnMask.shape()
                            + " must be [" + tgtLen + ", " + srcLen + "] (target, source length)");
                }
                attnMask = attnMask.unsqueeze(0);
            } else if (attnMask.size(0) != bsz * numHeads || attnMask.size(1) != tgtLen || attnMask.size(2) != srcLen) {
                throw new IllegalArgumentException("MultiheadAttention: 3-D attn_mask of shape " + attnMask.shape()
                        + " must be [" + bsz * numHeads + ", " + tgtLen + ", " + srcLen + "] (batch * heads, target, source)");
            }
        }

        if (biasK != null) {
            k = Tensor.cat(List.of(k, biasK.repeat(1, bsz, 1)));
            v = Tensor.cat(List.of(v, biasV.repeat(1, bsz, 1)));
            attnMask = attnMask == null ? null : F.pad(attnMask, 0, 1);
            keyPaddingMask = keyPaddingMask == null ? null : F.pad(keyPaddingMask, 0, 1);
        }
        long bh = bsz * numHeads;
        q = q.reshape(tgtLen, bh, headDim).transpose(0, 1);
        k = k.reshape(k.size(0), bh, headDim).transpose(0, 1);
        v = v.reshape(v.size(0), bh, headDim).transpose(0, 1);
        if (options.addZeroAttn()) {
            Tensor zeros = Tensor.zeros(Shape.of(bh, 1, headDim), k.dtype(), k.device());
            k = Tensor.cat(List.of(k, zeros), 1);
            v = Tensor.cat(List.of(v, zeros), 1);
            attnMask = attnMask == null ? null : F.pad(attnMask, 0, 1);
            keyPaddingMask = keyPaddingMask == null ? null : F.pad(keyPaddingMask, 0, 1);
        }
        srcLen = k.size(1);
        if (keyPaddingMask != null) {
            Tensor kpm = keyPaddingMask.view(bsz, 1, 1, srcLen).expand(-1, numHeads, -1, -1).reshape(bh, 1, srcLen);
            attnMask = attnMask == null ? kpm : attnMask.add(kpm);
        }
        double dropoutP = isTraining() ? options.dropout() : 0.0;

        if (needWeights) {
            Tensor qScaled = q.mul(Math.sqrt(1.0 / headDim));
            Tensor kT = k.transpose(-2, -1);
            Tensor w = attnMask != null ? attnMask.baddbmm(qScaled, kT) : qScaled.bmm(kT);
            w = F.softmax(w, -1);
            if (dropoutP > 0) {
                w = F.dropout(w, dropoutP, true);
            }
            Tensor out = w.bmm(v).transpose(0, 1).contiguous().view(tgtLen * bsz, embedDim);
            out = outProj.forward(out).view(tgtLen, bsz, embedDim);
            w = w.view(bsz, numHeads, tgtLen, srcLen);
            if (average) {
                w = w.mean(1);
            }
            if (!batched) {
                out = out.squeeze(1);
                w = w.squeeze(0);
            }
            return new Output(out, w);
        }
        if (attnMask != null) {
            attnMask = attnMask.size(0) == 1 ? attnMask.unsqueeze(0) : attnMask.view(bsz, numHeads, -1, srcLen);
        }
        Tensor q4 = q.view(bsz, numHeads, tgtLen, headDim);
        Tensor k4 = k.view(bsz, numHeads, srcLen, headDim);
        Tensor v4 = v.view(bsz, numHeads, srcLen, headDim);
        Tensor out = F.scaledDotProductAttention(q4, k4, v4, attnMask, dropoutP, sdpaCausal);
        out = out.permute(2, 0, 1, 3).contiguous().view(bsz * tgtLen, embedDim);
        out = outProj.forward(out).view(tgtLen, bsz, embedDim);
        return new Output(batched ? out : out.squeeze(1), null);
    }

    /** The options this layer was built with. */
    public MultiheadAttentionOptions options() {
        return options;
    }

    /** The packed projection weight {@code [3E, E]}, or null when kdim/vdim differ from E. */
    public Tensor inProjWeight() {
        return whileOpen(inProjWeight);
    }

    /** The packed projection bias {@code [3E]}, or null without bias. */
    public Tensor inProjBias() {
        return whileOpen(inProjBias);
    }

    /** The output projection. */
    public Linear outProj() {
        return whileOpen(outProj);
    }
}
