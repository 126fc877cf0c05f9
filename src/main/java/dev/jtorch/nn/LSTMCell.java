package dev.jtorch.nn;

import dev.jtorch.tensor.Tensor;

/**
 * One LSTM step, as PyTorch's {@code nn.LSTMCell}, on libtorch's fused {@code aten::lstm_cell}.
 *
 * <p>Shapes: input {@code [B, inputSize]} or {@code [inputSize]}; h and c {@code [B, hiddenSize]}
 * or {@code [hiddenSize]}. Parameters: see {@link RNNCellBase}. Results belong to the caller's
 * current scope.
 */
public final class LSTMCell extends RNNCellBase {
    /** A cell with biases. */
    public LSTMCell(long inputSize, long hiddenSize) {
        this(inputSize, hiddenSize, true);
    }

    /**
     * A cell with or without biases.
     *
     * @throws IllegalArgumentException if a size is not positive
     */
    public LSTMCell(long inputSize, long hiddenSize, boolean bias) {
        super(inputSize, hiddenSize, bias, RNNBase.Mode.LSTM);
    }

    /**
     * One step from {@code hx}, or from zeros if it is null.
     *
     * @return h' and c', in the current scope
     * @throws IllegalArgumentException naming the shapes if the input or a state does not fit
     */
    public LSTM.State forward(Tensor input, LSTM.State hx) {
        if (hx != null && (hx.h() == null || hx.c() == null)) {
            throw new IllegalArgumentException("LSTMCell: h and c must not be null when a state is given");
        }
        Tensor[] r = hx == null ? step(input, null, null) : step(input, hx.h(), hx.c());
        return new LSTM.State(r[0], r[1]);
    }
}
