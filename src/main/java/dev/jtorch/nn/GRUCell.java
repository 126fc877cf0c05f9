package dev.jtorch.nn;

import dev.jtorch.tensor.Tensor;

/**
 * One GRU step, as PyTorch's {@code nn.GRUCell}, on libtorch's fused {@code aten::gru_cell}.
 *
 * <p>Shapes: input {@code [B, inputSize]} or {@code [inputSize]}; h {@code [B, hiddenSize]} or
 * {@code [hiddenSize]}. Parameters: see {@link RNNCellBase}. Results belong to the caller's
 * current scope.
 */
public final class GRUCell extends RNNCellBase {
    /** A cell with biases. */
    public GRUCell(long inputSize, long hiddenSize) {
        this(inputSize, hiddenSize, true);
    }

    /**
     * A cell with or without biases.
     *
     * @throws IllegalArgumentException if a size is not positive
     */
    public GRUCell(long inputSize, long hiddenSize, boolean bias) {
        super(inputSize, hiddenSize, bias, RNNBase.Mode.GRU);
    }

    /**
     * One step from {@code hx}, or from zeros if it is null.
     *
     * @return h', in the current scope
     * @throws IllegalArgumentException naming the shapes if the input or {@code hx} does not fit
     */
    public Tensor forward(Tensor input, Tensor hx) {
        return step(input, hx, null)[0];
    }
}
