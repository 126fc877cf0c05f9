package dev.jtorch.nn;

/**
 * Options of {@link MultiheadAttention}, PyTorch's {@code nn.MultiheadAttention} arguments with its
 * defaults: {@code MultiheadAttentionOptions.of(16, 2).withBatchFirst(true)}.
 *
 * @param embedDim model dimension {@code E} (query features and output features)
 * @param numHeads heads; {@code embedDim} must be divisible by it
 * @param dropout dropout probability on the attention weights (training mode only)
 * @param bias whether the input and output projections have biases
 * @param addBiasKv whether learned {@code bias_k}/{@code bias_v} rows are appended to the keys and values
 * @param addZeroAttn whether a zero row is appended to the keys and values
 * @param kdim key features, or null for {@code embedDim}
 * @param vdim value features, or null for {@code embedDim}
 * @param batchFirst whether inputs and outputs are {@code [N, L, E]} rather than {@code [L, N, E]}
 */
public record MultiheadAttentionOptions(long embedDim, long numHeads, double dropout, boolean bias, boolean addBiasKv,
                                        boolean addZeroAttn, Long kdim, Long vdim, boolean batchFirst)
        implements MultiheadAttentionOptionsCopies {

    /**
     * Validates the options.
     *
     * @throws IllegalArgumentException if a size is not positive, {@code embedDim} is not divisible by
     *     {@code numHeads} or {@code dropout} is outside [0, 1]
     */
    public MultiheadAttentionOptions {
        if (embedDim <= 0 || numHeads <= 0) {
            throw new IllegalArgumentException("MultiheadAttention: embedDim and numHeads must be positive, got embedDim="
                    + embedDim + ", numHeads=" + numHeads);
        }
        if (embedDim % numHeads != 0) {
            throw new IllegalArgumentException("MultiheadAttention: embed_dim (" + embedDim
                    + ") must be divisible by num_heads (" + numHeads + ")");
        }
        if (!(dropout >= 0 && dropout <= 1)) {
            throw new IllegalArgumentException("MultiheadAttention: dropout must be in [0, 1], got " + dropout);
        }
        if ((kdim != null && kdim <= 0) || (vdim != null && vdim <= 0)) {
            throw new IllegalArgumentException("MultiheadAttention: kdim and vdim must be positive, got kdim=" + kdim
                    + ", vdim=" + vdim);
        }
    }

    /** PyTorch's defaults: no dropout, biases, no bias_kv or zero attention, {@code kdim = vdim = embedDim}, sequence first. */
    public static MultiheadAttentionOptions of(long embedDim, long numHeads) {
        return new MultiheadAttentionOptions(embedDim, numHeads, 0.0, true, false, false, null, null, false);
    }

    /** Key features (never null). */
    public long keyDim() {
        return kdim == null ? embedDim : kdim;
    }

    /** Value features (never null). */
    public long valueDim() {
        return vdim == null ? embedDim : vdim;
    }
}
