package dev.jtorch.nn;

import dev.jtorch.tensor.Tensor;
import java.util.List;

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
        super(inputSize, hiddenSize, bias, 4);
    }

    /**
     * One step from zero states.
     *
     * @return the next hidden state h', in the current scope
     * @throws IllegalArgumentException if the input does not fit
     */
    @Override
    public Tensor forward(Tensor input) {
        return forward(input, null).h();
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
        boolean batched = hx == null ? check(input) : check(input, hx.h(), hx.c());
        Tensor x = batched ? input : input.unsqueeze(0);
        Tensor h = batchedState(hx == null ? null : hx.h(), batched, x, hiddenSize());
        Tensor c = batchedState(hx == null ? null : hx.c(), batched, x, hiddenSize());
        List<Tensor> r = Tensor.lstmCell(x, List.of(h, c), weightIh, weightHh, biasIh, biasHh);
        return batched ? new LSTM.State(r.get(0), r.get(1)) : new LSTM.State(r.get(0).squeeze(0), r.get(1).squeeze(0));
    }
}
