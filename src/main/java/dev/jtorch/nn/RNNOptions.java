package dev.jtorch.nn;

/**
 * Options of the recurrent layers {@link LSTM}, {@link GRU} and {@link RNN}, with PyTorch's
 * meaning and defaults: start from {@link #of(long, long)} and change fields with the
 * {@code withX} methods.
 *
 * @param inputSize features of each input step
 * @param hiddenSize features of the hidden state
 * @param numLayers stacked layers; layer {@code k > 0} reads layer {@code k - 1}'s output
 * @param bias whether the layers have {@code bias_ih} and {@code bias_hh}
 * @param batchFirst input and output are {@code [batch, seq, feature]} instead of
 *     {@code [seq, batch, feature]} (the states keep {@code [layers * directions, batch, hidden]})
 * @param dropout probability of dropout on every layer's output but the last, in training mode only
 * @param bidirectional whether each layer also runs backwards over the sequence
 * @param projSize LSTM only: when positive, the hidden state is projected to this size by
 *     {@code weight_hr_l{k}} (must be smaller than {@code hiddenSize}); 0 for none
 * @param nonlinearity RNN only: the activation, tanh or ReLU; LSTM and GRU require TANH
 */
public record RNNOptions(long inputSize, long hiddenSize, long numLayers, boolean bias, boolean batchFirst,
                         double dropout, boolean bidirectional, long projSize, RNN.Nonlinearity nonlinearity)
        implements RNNOptionsCopies {

    /**
     * Checks the values.
     *
     * @throws IllegalArgumentException naming the field at fault
     */
    public RNNOptions {
        if (inputSize <= 0 || hiddenSize <= 0) {
            throw new IllegalArgumentException("recurrent layer sizes must be positive, got input_size=" + inputSize
                    + ", hidden_size=" + hiddenSize);
        }
        if (numLayers < 1) {
            throw new IllegalArgumentException("num_layers must be at least 1, got " + numLayers);
        }
        if (!(dropout >= 0 && dropout <= 1)) {
            throw new IllegalArgumentException("dropout must be a probability in [0, 1], got " + dropout);
        }
        if (projSize < 0) {
            throw new IllegalArgumentException("proj_size must be 0 (none) or positive, got " + projSize);
        }
        if (projSize >= hiddenSize) {
            throw new IllegalArgumentException("proj_size has to be smaller than hidden_size, got proj_size=" + projSize
                    + ", hidden_size=" + hiddenSize);
        }
        if (nonlinearity == null) {
            throw new IllegalArgumentException("nonlinearity must not be null");
        }
    }

    /** PyTorch's defaults: one layer, biases, sequence first, no dropout, one direction, tanh. */
    public static RNNOptions of(long inputSize, long hiddenSize) {
        return new RNNOptions(inputSize, hiddenSize, 1, true, false, 0.0, false, 0, RNN.Nonlinearity.TANH);
    }

    /** 2 when bidirectional, else 1. */
    public long numDirections() {
        return bidirectional ? 2 : 1;
    }

    /** Features of the hidden state {@code h}: {@code projSize} when positive, else {@code hiddenSize}. */
    public long realHiddenSize() {
        return projSize > 0 ? projSize : hiddenSize;
    }
}
