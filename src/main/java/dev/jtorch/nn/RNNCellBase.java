package dev.jtorch.nn;

import dev.jtorch.tensor.Tensor;
import java.util.Arrays;
import java.util.function.BinaryOperator;

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
    final Tensor weightIh;
    final Tensor weightHh;
    final Tensor biasIh;
    final Tensor biasHh;

    RNNCellBase(long inputSize, long hiddenSize, boolean bias, int gates) {
        if (inputSize <= 0 || hiddenSize <= 0) {
            throw new IllegalArgumentException(getClass().getSimpleName() + " sizes must be positive, got input_size="
                    + inputSize + ", hidden_size=" + hiddenSize);
        }
        this.inputSize = inputSize;
        this.hiddenSize = hiddenSize;
        this.bias = bias;
        double k = 1.0 / Math.sqrt(hiddenSize);
        this.weightIh = param("weight_ih", k, gates * hiddenSize, inputSize);
        this.weightHh = param("weight_hh", k, gates * hiddenSize, hiddenSize);
        this.biasIh = bias ? param("bias_ih", k, gates * hiddenSize) : null;
        this.biasHh = bias ? param("bias_hh", k, gates * hiddenSize) : null;
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
     * One step of a single-state cell (GRU, RNN): checks {@code input} and {@code hx}, gives an
     * unbatched input a batch dimension and a null {@code hx} zeros, runs {@code cell} on
     * {@code (x, h)} and removes the batch dimension again.
     */
    final Tensor step(Tensor input, Tensor hx, BinaryOperator<Tensor> cell) {
        boolean batched = check(input, hx);
        Tensor x = batched ? input : input.unsqueeze(0);
        Tensor r = cell.apply(x, batchedState(hx, batched, x, hiddenSize()));
        return batched ? r : r.squeeze(0);
    }

    /**
     * Checks the input and states; returns whether the input is batched.
     *
     * @throws IllegalArgumentException naming the shapes at fault
     */
    final boolean check(Tensor input, Tensor... states) {
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
    static Tensor batchedState(Tensor s, boolean batched, Tensor input, long hiddenSize) {
        if (s == null) {
            return Tensor.zeros(new long[] {input.size(0), hiddenSize}, input.dtype(), input.device());
        }
        return batched ? s : s.unsqueeze(0);
    }

    @Override
    protected String extraRepr() {
        return inputSize + ", " + hiddenSize + (bias ? "" : ", bias=False");
    }
}
