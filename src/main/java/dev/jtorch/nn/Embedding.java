package dev.jtorch.nn;

import dev.jtorch.nn.functional.F;
import dev.jtorch.tensor.Tensor;

/**
 * A lookup table of {@code numEmbeddings} vectors of size {@code embeddingDim}, as PyTorch's
 * {@code nn.Embedding}.
 *
 * <p>Shapes: input int64 indices of any shape {@code [*]}, output {@code [*, embeddingDim]};
 * parameter {@code weight [numEmbeddings, embeddingDim]}, initialised N(0, 1) from the default
 * generator with the {@code paddingIdx} row zeroed, as PyTorch. The padding row gets no gradient.
 * With {@code maxNorm}, the looked-up rows are renormalised in place on each forward, as PyTorch.
 */
public final class Embedding extends WeightedLayer {
    private final long numEmbeddings;
    private final long embeddingDim;
    private final Long paddingIdx;
    private final Double maxNorm;
    private final double normType;
    private final boolean scaleGradByFreq;

    /** {@code nn.Embedding(numEmbeddings, embeddingDim)}. */
    public Embedding(long numEmbeddings, long embeddingDim) {
        this(numEmbeddings, embeddingDim, null, null, 2.0, false);
    }

    /** {@code nn.Embedding(numEmbeddings, embeddingDim, padding_idx)}; {@code paddingIdx} may be null. */
    public Embedding(long numEmbeddings, long embeddingDim, Long paddingIdx) {
        this(numEmbeddings, embeddingDim, paddingIdx, null, 2.0, false);
    }

    /**
     * {@code nn.Embedding(num_embeddings, embedding_dim, padding_idx, max_norm, norm_type,
     * scale_grad_by_freq)}.
     *
     * @param paddingIdx the row that stays zero and gets no gradient (negative counts from the end), or null
     * @param maxNorm renormalise looked-up rows whose {@code normType}-norm exceeds it, or null
     * @throws IllegalArgumentException if a size is not positive or {@code paddingIdx} is outside the rows
     */
    public Embedding(long numEmbeddings, long embeddingDim, Long paddingIdx, Double maxNorm, double normType,
                     boolean scaleGradByFreq) {
        if (numEmbeddings <= 0 || embeddingDim <= 0) {
            throw new IllegalArgumentException("Embedding sizes must be positive, got numEmbeddings=" + numEmbeddings
                    + ", embeddingDim=" + embeddingDim);
        }
        Long pad = rowIndex(paddingIdx, numEmbeddings);
        this.numEmbeddings = numEmbeddings;
        this.embeddingDim = embeddingDim;
        this.paddingIdx = pad;
        this.maxNorm = maxNorm;
        this.normType = normType;
        this.scaleGradByFreq = scaleGradByFreq;
        registerWeight(true, () -> {
            Tensor w = Tensor.zeros(numEmbeddings, embeddingDim).normal_();
            if (pad != null) {
                w.select(0, pad).fill_(0.0);
            }
            return w;
        });
    }

    /** {@code paddingIdx} counted from the start (negative counts from the end), or null for none. */
    private static Long rowIndex(Long paddingIdx, long numEmbeddings) {
        if (paddingIdx == null) {
            return null;
        }
        if (paddingIdx >= numEmbeddings || paddingIdx < -numEmbeddings) {
            throw new IllegalArgumentException("Embedding: paddingIdx " + paddingIdx + " must be within num_embeddings ("
                    + numEmbeddings + ")");
        }
        return paddingIdx < 0 ? paddingIdx + numEmbeddings : paddingIdx;
    }

    /**
     * Looks up {@code input}'s rows.
     *
     * @param input int64 (or int32) indices in {@code [0, numEmbeddings)}
     * @return {@code input.shape + [embeddingDim]}, owned by the current scope
     * @throws dev.jtorch.TorchException if an index is out of range or the dtype is not integral
     */
    @Override
    public Tensor forward(Tensor input) {
        checkOpen();
        if (input.dtype().isFloatingPoint()) {
            throw new IllegalArgumentException("Embedding expects integer indices, got " + input.dtype()
                    + " input of shape " + input.shape());
        }
        return F.embedding(input, weight(), paddingIdx, maxNorm, normType, scaleGradByFreq);
    }

    /** Number of rows. */
    public long numEmbeddings() {
        return numEmbeddings;
    }

    /** Size of each vector. */
    public long embeddingDim() {
        return embeddingDim;
    }

    /** The padding row (non-negative), or null. */
    public Long paddingIdx() {
        return paddingIdx;
    }

    @Override
    protected String extraRepr() {
        StringBuilder s = new StringBuilder().append(numEmbeddings).append(", ").append(embeddingDim);
        if (paddingIdx != null) {
            s.append(", padding_idx=").append(paddingIdx);
        }
        if (maxNorm != null) {
            s.append(", max_norm=").append(Layers.number(maxNorm));
        }
        if (normType != 2.0) {
            s.append(", norm_type=").append(Layers.number(normType));
        }
        if (scaleGradByFreq) {
            s.append(", scale_grad_by_freq=True");
        }
        return s.toString();
    }
}
