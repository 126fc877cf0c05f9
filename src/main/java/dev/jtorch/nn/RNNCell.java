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
    private final RNN.Nonlinearity nonlinearity;

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
        super(inputSize, hiddenSize, bias, 1);
        if (nonlinearity == null) {
            close();
            throw new IllegalArgumentException("RNNCell: nonlinearity must not be null");
        }
        this.nonlinearity = nonlinearity;
    }

    /** The activation. */
    public RNN.Nonlinearity nonlinearity() {
        return nonlinearity;
    }

    /**
     * One step from a zero state.
     *
     * @return h', in the current scope
     * @throws IllegalArgumentException if the input does not fit
     */
    @Override
    public Tensor forward(Tensor input) {
        return forward(input, null);
    }

    /**
     * One step from {@code hx}, or from zeros if it is null.
     *
     * @return h', in the current scope
     * @throws IllegalArgumentException naming the shapes if the input or {@code hx} does not fit
     */
    public Tensor forward(Tensor input, Tensor hx) {
        return step(input, hx, (x, h) -> nonlinearity == RNN.Nonlinearity.RELU
                ? Tensor.rnnReluCell(x, h, weightIh, weightHh, biasIh, biasHh)
                : Tensor.rnnTanhCell(x, h, weightIh, weightHh, biasIh, biasHh));
    }

    @Override
    protected String extraRepr() {
        return super.extraRepr() + (nonlinearity == RNN.Nonlinearity.RELU ? ", nonlinearity=relu" : "");
    }
}
