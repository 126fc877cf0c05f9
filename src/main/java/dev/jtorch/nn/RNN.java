package dev.jtorch.nn;

import dev.jtorch.tensor.Tensor;

/**
 * A multi-layer Elman network with tanh or ReLU, as PyTorch's {@code nn.RNN}, run by libtorch's
 * fused {@code aten::rnn_tanh} / {@code aten::rnn_relu} kernels.
 *
 * <p>Shapes as {@link GRU}: input {@code [T, B, inputSize]} ({@code [B, T, inputSize]} with
 * {@code batchFirst}) or {@code [T, inputSize]}; output {@code [T, B, D * hiddenSize]}; state
 * {@code [D * numLayers, B, hiddenSize]}. Parameters: see {@link RNNBase} (one gate). Results belong
 * to the caller's current scope; the parameters belong to this layer until {@link #close()}.
 */
public final class RNN extends RNNBase {
    /** The activation of {@link RNN} and {@link RNNCell}, PyTorch's {@code nonlinearity}. */
    public enum Nonlinearity {
        TANH, RELU
    }

    /**
     * A forward result.
     *
     * @param output the top layer's output at every step
     * @param h each layer's final hidden state, h_n
     */
    public record Output(Tensor output, Tensor h) {}

    /** One tanh layer, with biases, sequence-first. */
    public RNN(long inputSize, long hiddenSize) {
        this(RNNOptions.of(inputSize, hiddenSize));
    }

    /** {@code numLayers} stacked layers with the given activation, with biases, sequence-first. */
    public RNN(long inputSize, long hiddenSize, long numLayers, Nonlinearity nonlinearity) {
        this(RNNOptions.of(inputSize, hiddenSize).withNumLayers(numLayers).withNonlinearity(nonlinearity));
    }

    /**
     * A layer with the given options.
     *
     * @throws IllegalArgumentException if the options ask for a projection
     */
    public RNN(RNNOptions options) {
        super(options, options == null ? null : Mode.elman(options.nonlinearity()));
    }

    /** The activation. */
    public Nonlinearity nonlinearity() {
        return options().nonlinearity();
    }

    /**
     * Runs the layers from {@code hx}, or from zeros if it is null.
     *
     * @return the output and final state, in the current scope
     * @throws IllegalArgumentException naming the shapes if the input or {@code hx} does not fit
     */
    public Output forward(Tensor input, Tensor hx) {
        Tensor[] r = run(input, hx, null);
        return new Output(r[0], r[1]);
    }
}
