package dev.jtorch.nn;

import dev.jtorch.tensor.Tensor;

/**
 * One Elman step with tanh or ReLU, as PyTorch's {@code nn.RNNCell}, on libtorch's fused
 * {@code aten::rnn_tanh_cell} / {@code aten::rnn_relu_cell}.
 *
 * <p>Shapes: input {@code [B, inputSize]} or {@code [inputSize]}; h {@code [B, hiddenSize]} or
 * {@code [hiddenSize]}. Parameters: see {@link RNNCellBase}. Results belong to the caller's
 * current scope.
 */
public final class RNNCell extends RNNCellBase {
    /** A tanh cell with biases. */
    public RNNCell(long inputSize, long hiddenSize) {
        this(inputSize, hiddenSize, true, RNN.Nonlinearity.TANH);
    }

    /**
     * A cell with the given bias and activation.
     *
     * @throws IllegalArgumentException if a size is not positive or the activation is null
     */
    public RNNCell(long inputSize, long hiddenSize, boolean bias, RNN.Nonlinearity nonlinearity) {
        super(inputSize, hiddenSize, bias, RNNBase.Mode.elman(requireNonlinearity(nonlinearity)));
    }

    private static RNN.Nonlinearity requireNonlinearity(RNN.Nonlinearity nonlinearity) {
        if (nonlinearity == null) {
            throw new IllegalArgumentException("RNNCell: nonlinearity must not be null");
        }
        return nonlinearity;
    }

    /** The activation. */
    public RNN.Nonlinearity nonlinearity() {
        return mode == RNNBase.Mode.RNN_RELU ? RNN.Nonlinearity.RELU : RNN.Nonlinearity.TANH;
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
