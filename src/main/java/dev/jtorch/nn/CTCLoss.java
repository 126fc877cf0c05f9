package dev.jtorch.nn;

import dev.jtorch.nn.functional.F;
import dev.jtorch.nn.functional.Reduction;
import dev.jtorch.tensor.Tensor;

/**
 * The connectionist temporal classification loss, as PyTorch's {@code nn.CTCLoss}: the negative
 * log-likelihood of each target sequence summed over all its alignments to the input frames.
 *
 * <p>Shapes: {@code logProbs [T, N, C]} (log-softmax over C, or {@code [T, C]} unbatched);
 * {@code targets} int64 {@code [N, S]} padded, or the concatenated targets {@code [sum(targetLengths)]};
 * {@code inputLengths [N]} (each at most T) and {@code targetLengths [N]}. Output: {@code [N]} with
 * {@link Reduction#NONE}; {@code MEAN} divides each loss by its target length (at least 1) and
 * averages over the batch, as PyTorch; {@code SUM} adds them. With {@code zeroInfinity} the
 * infinite losses of impossible alignments (and their gradients) are zero. No parameters.
 */
public final class CTCLoss extends Loss {
    private final long blank;
    private final boolean zeroInfinity;

    /** {@code nn.CTCLoss()}: blank 0, mean, infinite losses kept. */
    public CTCLoss() {
        this(0, Reduction.MEAN, false);
    }

    /**
     * {@code nn.CTCLoss(blank, reduction, zero_infinity)}.
     *
     * @throws IllegalArgumentException if blank is negative
     */
    public CTCLoss(long blank, Reduction reduction, boolean zeroInfinity) {
        super(reduction);
        LayerInit.nonNegative(blank, "CTCLoss", "blank");
        this.blank = blank;
        this.zeroInfinity = zeroInfinity;
    }

    /**
     * The CTC loss.
     *
     * @return a scalar, or {@code [N]} with {@link Reduction#NONE}; owned by the current scope
     * @throws dev.jtorch.TorchException naming the loss and the shapes if they do not fit (lengths
     *     longer than the inputs, blank out of range)
     * @throws IllegalStateException if no scope is open or the loss is closed
     */
    public Tensor forward(Tensor logProbs, Tensor targets, Tensor inputLengths, Tensor targetLengths) {
        checkOpen();
        return Layers.run(this, () -> F.ctcLoss(logProbs, targets, inputLengths, targetLengths, blank, reduction(),
                zeroInfinity));
    }

    /** {@link #forward(Tensor, Tensor, Tensor, Tensor)} with the lengths as arrays. */
    public Tensor forward(Tensor logProbs, Tensor targets, long[] inputLengths, long[] targetLengths) {
        checkOpen();
        return Layers.run(this, () -> F.ctcLoss(logProbs, targets, inputLengths, targetLengths, blank, reduction(),
                zeroInfinity));
    }

    /**
     * Always throws: CTC needs the sequence lengths too.
     *
     * @throws UnsupportedOperationException naming the overload to call
     */
    @Override
    public Tensor forward(Tensor input, Tensor target) {
        throw new UnsupportedOperationException("CTCLoss takes (logProbs, targets, inputLengths, targetLengths):"
                + " call forward(logProbs, targets, inputLengths, targetLengths)");
    }

    /**
     * Always throws: CTC needs the targets and the sequence lengths.
     *
     * @throws UnsupportedOperationException naming the overload to call
     */
    @Override
    public Tensor forward(Tensor input) {
        throw new UnsupportedOperationException("CTCLoss takes (logProbs, targets, inputLengths, targetLengths):"
                + " call forward(logProbs, targets, inputLengths, targetLengths)");
    }

    /** The blank label. */
    public long blank() {
        return blank;
    }

    /** Whether infinite losses are zeroed. */
    public boolean zeroInfinity() {
        return zeroInfinity;
    }
}
