package dev.jtorch.nn;

import dev.jtorch.tensor.Tensor;
import java.util.Arrays;
import java.util.List;

/**
 * Common part of {@link LSTMCell}, {@link GRUCell} and {@link RNNCell}, as PyTorch's
 * {@code nn.RNNCellBase}: one time step, on libtorch's fused cell kernels.
 *
 * <p>Parameters, in this order: {@code weight_ih [gates * hiddenSize, inputSize]},
 * {@code weight_hh [gates * hiddenSize, hiddenSize]}, and with {@code bias} {@code bias_ih} and
 * {@code bias_hh [gates * hiddenSize]}; gates are 4 (LSTM), 3 (GRU) or 1; all initialised
 * U(-1/sqrt(hiddenSize), 1/sqrt(hiddenSize)) as PyTorch does.
 */
public abstract sealed class RNNCellBase extends Module permits LSTMCell, GRUCell, RNNCell {
    private final long inputSize;
    private final long hiddenSize;
    private final boolean bias;
    /** Which fused cell kernel runs the step; its gates size the weights. */
    final RNNBase.Mode mode;
    private final Tensor weightIh;
    private final Tensor weightHh;
    private final Tensor biasIh;
    private final Tensor biasHh;

    RNNCellBase(long inputSize, long hiddenSize, boolean bias, RNNBase.Mode mode) {
        if (inputSize <= 0 || hiddenSize <= 0) {
            throw new IllegalArgumentException(getClass().getSimpleName() + " sizes must be positive, got input_size="
                    + inputSize + ", hidden_size=" + hiddenSize);
        }
        this.inputSize = inputSize;
        this.hiddenSize = hiddenSize;
        this.bias = bias;
        this.mode = mode;
        long gateSize = mode.gates * hiddenSize;
        double k = 1.0 / Math.sqrt(hiddenSize);
        this.weightIh = param("weight_ih", k, gateSize, inputSize);
        this.weightHh = param("weight_hh", k, gateSize, hiddenSize);
        this.biasIh = bias ? param("bias_ih", k, gateSize) : null;
        this.biasHh = bias ? param("bias_hh", k, gateSize) : null;
    }

    private Tensor param(String name, double k, long... shape) {
        return registerParameter(name, () -> Tensor.empty(shape).uniform_(-k, k));
    }

    /** Features of each input. */
    public long inputSize() {
        return inputSize;
    }

    /** Features of the hidden state. */
    public long hiddenSize() {
        return hiddenSize;
    }

    /** Whether the cell has biases. */
    public boolean hasBias() {
        return bias;
    }

    /**
     * One step from zero states.
     *
     * @return the next hidden state h', in the current scope
     * @throws IllegalArgumentException if the input does not fit
     */
    @Override
    public final Tensor forward(Tensor input) {
        return step(input, null, null)[0];
    }

    /**
     * One step, as PyTorch's cells: checks {@code input} and the states, gives an unbatched input
     * a batch dimension and a null state zeros, runs the mode's fused cell kernel and removes the
     * batch dimension again.
     *
     * @param h0 the hidden state, or null for zeros
     * @param c0 the LSTM cell state, or null for zeros (always null for GRU and RNN)
     * @return h' and (LSTM only) c', in the caller's scope
     */
    final Tensor[] step(Tensor input, Tensor h0, Tensor c0) {
        boolean batched = check(input, h0, c0);
        Tensor x = batched ? input : input.unsqueeze(0);
        Tensor h = batchedState(h0, batched, x);
        Tensor[] out = switch (mode) {
            case LSTM -> Tensor.lstmCell(x, List.of(h, batchedState(c0, batched, x)), weightIh, weightHh, biasIh, biasHh)
                    .toArray(Tensor[]::new);
            case GRU -> new Tensor[] {Tensor.gruCell(x, h, weightIh, weightHh, biasIh, biasHh)};
            case RNN_TANH -> new Tensor[] {Tensor.rnnTanhCell(x, h, weightIh, weightHh, biasIh, biasHh)};
            case RNN_RELU -> new Tensor[] {Tensor.rnnReluCell(x, h, weightIh, weightHh, biasIh, biasHh)};
        };
        if (!batched) {
            for (int i = 0; i < out.length; i++) {
                out[i] = out[i].squeeze(0);
            }
        }
        return out;
    }

    /**
     * Checks the input and states; returns whether the input is batched.
     *
     * @throws IllegalArgumentException naming the shapes at fault
     */
    private boolean check(Tensor input, Tensor... states) {
        checkOpen();
        String name = getClass().getSimpleName();
        boolean batched = Layers.checkRecurrentInput(name, input, 1, weightIh, inputSize);
        if (batched && input.size(0) == 0) {
            throw new IllegalArgumentException(name + ": input of shape " + input.shape() + " has no batch entries");
        }
        long[] expected = batched ? new long[] {input.size(0), hiddenSize} : new long[] {hiddenSize};
        for (Tensor s : states) {
            if (s == null) {
                continue;
            }
            if (!Arrays.equals(s.shape().toArray(), expected)) {
                throw new IllegalArgumentException(name + ": state of shape " + s.shape() + " does not fit input of shape "
                        + input.shape() + ": expected " + Arrays.toString(expected));
            }
            if (s.dtype() != input.dtype() || !s.device().equals(input.device())) {
                throw new IllegalArgumentException(name + ": state is " + s.dtype() + " on " + s.device() + " but input is "
                        + input.dtype() + " on " + input.device());
            }
        }
        return batched;
    }

    /** {@code s} as a batch of one if the input was unbatched, or zeros if null. */
    private Tensor batchedState(Tensor s, boolean batched, Tensor input) {
        if (s == null) {
            return Tensor.zeros(new long[] {input.size(0), hiddenSize}, input.dtype(), input.device());
        }
        return batched ? s : s.unsqueeze(0);
    }

    /** PyTorch's {@code extra_repr}, which names a non-default bias or nonlinearity. */
    @Override
    protected final String extraRepr() {
        return inputSize + ", " + hiddenSize + (bias ? "" : ", bias=False")
                + (mode == RNNBase.Mode.RNN_RELU ? ", nonlinearity=relu" : "");
    }
}
