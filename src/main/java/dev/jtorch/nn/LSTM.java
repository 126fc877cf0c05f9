package dev.jtorch.nn;

import dev.jtorch.tensor.Tensor;

/**
 * A multi-layer long short-term memory network, as PyTorch's {@code nn.LSTM}, run by libtorch's
 * fused {@code aten::lstm} kernel.
 *
 * <p>Shapes, with {@code D = 2} if bidirectional else 1, {@code L = numLayers},
 * {@code Hout = projSize > 0 ? projSize : hiddenSize}: input {@code [T, B, inputSize]}
 * ({@code [B, T, inputSize]} with {@code batchFirst}) or unbatched {@code [T, inputSize]};
 * output {@code [T, B, D * Hout]} (batch first likewise, or {@code [T, D * Hout]}); states
 * {@code h [D * L, B, Hout]} and {@code c [D * L, B, hiddenSize]} ({@code [D * L, Hout]} and
 * {@code [D * L, hiddenSize]} unbatched), the batch dimension second even with {@code batchFirst}.
 * Parameters: see {@link RNNBase}. Dropout between layers applies in training mode only.
 *
 * <p>Results belong to the caller's current scope; the parameters belong to this layer until
 * {@link #close()}.
 *
 * <pre>{@code
 * try (LSTM lstm = new LSTM(RNNOptions.of(4, 8).withNumLayers(2).withBatchFirst(true));
 *      TensorScope s = TensorScope.open()) {
 *     LSTM.Output out = lstm.forward(x, null);      // x: [B, T, 4]
 *     Tensor last = out.state().h().select(0, -1);  // [B, 8], top layer's final h
 * }
 * }</pre>
 */
public final class LSTM extends RNNBase {
    /**
     * The hidden and cell states.
     *
     * @param h {@code [D * numLayers, B, Hout]} (or without the batch dimension)
     * @param c {@code [D * numLayers, B, hiddenSize]} (or without the batch dimension)
     */
    public record State(Tensor h, Tensor c) {}

    /**
     * A forward result: the top layer's output at every step and each layer's final state.
     *
     * @param output {@code [T, B, D * Hout]}, {@code [B, T, D * Hout]} with batchFirst, or {@code [T, D * Hout]}
     * @param state h_n and c_n
     */
    public record Output(Tensor output, State state) {}

    /** One layer, with biases, sequence-first. */
    public LSTM(long inputSize, long hiddenSize) {
        this(RNNOptions.of(inputSize, hiddenSize));
    }

    /** {@code numLayers} stacked layers, with biases, sequence-first. */
    public LSTM(long inputSize, long hiddenSize, long numLayers) {
        this(RNNOptions.of(inputSize, hiddenSize).withNumLayers(numLayers));
    }

    /**
     * A layer with the given options.
     *
     * @throws IllegalArgumentException if the options ask for a nonlinearity other than tanh
     */
    public LSTM(RNNOptions options) {
        super(options, Mode.LSTM);
    }

    /**
     * Runs the layers from {@code hx}, or from zero states if it is null.
     *
     * @param hx initial h_0 and c_0, shaped as {@link State} says; null for zeros
     * @return the output and final states, in the current scope
     * @throws IllegalArgumentException naming the shapes if the input or a state does not fit
     */
    public Output forward(Tensor input, State hx) {
        Tensor[] r = hx == null ? run(input, null, null) : run(input, require(hx.h(), "h_0"), require(hx.c(), "c_0"));
        return new Output(r[0], new State(r[1], r[2]));
    }

    private static Tensor require(Tensor t, String what) {
        if (t == null) {
            throw new IllegalArgumentException("LSTM: " + what + " must not be null when a state is given");
        }
        return t;
    }
}
