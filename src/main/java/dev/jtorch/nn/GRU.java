package dev.jtorch.nn;

import dev.jtorch.tensor.Tensor;

/**
 * A multi-layer gated recurrent unit network, as PyTorch's {@code nn.GRU}, run by libtorch's fused
 * {@code aten::gru} kernel.
 *
 * <p>Shapes, with {@code D = 2} if bidirectional else 1: input {@code [T, B, inputSize]}
 * ({@code [B, T, inputSize]} with {@code batchFirst}) or unbatched {@code [T, inputSize]}; output
 * {@code [T, B, D * hiddenSize]} (batch first likewise, or {@code [T, D * hiddenSize]}); state
 * {@code h [D * numLayers, B, hiddenSize]} ({@code [D * numLayers, hiddenSize]} unbatched), the batch
 * dimension second even with {@code batchFirst}. Parameters: see {@link RNNBase}. Dropout between
 * layers applies in training mode only.
 *
 * <p>Results belong to the caller's current scope; the parameters belong to this layer until
 * {@link #close()}.
 */
public final class GRU extends RNNBase {
    /**
     * A forward result.
     *
     * @param output the top layer's output at every step
     * @param h each layer's final hidden state, h_n
     */
    public record Output(Tensor output, Tensor h) {}

    /** One layer, with biases, sequence-first. */
    public GRU(long inputSize, long hiddenSize) {
        this(RNNOptions.of(inputSize, hiddenSize));
    }

    /** {@code numLayers} stacked layers, with biases, sequence-first. */
    public GRU(long inputSize, long hiddenSize, long numLayers) {
        this(RNNOptions.of(inputSize, hiddenSize).withNumLayers(numLayers));
    }

    /**
     * A layer with the given options.
     *
     * @throws IllegalArgumentException if the options ask for a projection or a nonlinearity other than tanh
     */
    public GRU(RNNOptions options) {
        super(options, Mode.GRU);
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
