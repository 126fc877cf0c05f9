package dev.jtorch.nn;

import dev.jtorch.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * Common part of {@link LSTM}, {@link GRU} and {@link RNN}, as PyTorch's {@code nn.RNNBase}: the
 * parameters under PyTorch's names and order, shape checks, and the call into libtorch's fused
 * multi-layer kernels ({@code aten::lstm}, {@code aten::gru}, {@code aten::rnn_tanh},
 * {@code aten::rnn_relu}).
 *
 * <p>Parameters, per layer {@code k} and direction (suffix {@code _reverse} for the backward one):
 * {@code weight_ih_l{k}} {@code [gates * hiddenSize, in_k]}, {@code weight_hh_l{k}}
 * {@code [gates * hiddenSize, realHidden]}, {@code bias_ih_l{k}} and {@code bias_hh_l{k}}
 * {@code [gates * hiddenSize]} when {@code bias}, and for an LSTM with projections
 * {@code weight_hr_l{k}} {@code [projSize, hiddenSize]}; {@code in_0 = inputSize},
 * {@code in_k = realHidden * directions}; gates are 4 (LSTM: i, f, g, o), 3 (GRU: r, z, n) or 1.
 * All are initialised U(-1/sqrt(hiddenSize), 1/sqrt(hiddenSize)) as PyTorch does.
 */
public abstract sealed class RNNBase extends Module permits LSTM, GRU, RNN {
    /** Which fused kernel runs the layers ({@link RNNBase}) or one step ({@link RNNCellBase}). */
    enum Mode {
        LSTM(4, null), GRU(3, Tensor::gru), RNN_TANH(1, Tensor::rnnTanh), RNN_RELU(1, Tensor::rnnRelu);

        final int gates;
        /** The fused kernel of a single-state mode; null for LSTM, whose state is a pair. */
        final FusedKernel kernel;

        Mode(int gates, FusedKernel kernel) {
            this.gates = gates;
            this.kernel = kernel;
        }

        /** The mode of an Elman network or cell with {@code nonlinearity}. */
        static Mode elman(RNN.Nonlinearity nonlinearity) {
            return nonlinearity == RNN.Nonlinearity.RELU ? RNN_RELU : RNN_TANH;
        }
    }

    /** The arguments the fused GRU and RNN kernels share ({@code aten::gru}, {@code aten::rnn_tanh}, ...). */
    @FunctionalInterface
    interface FusedKernel {
        /** Runs every layer over the sequence; returns the output and h_n. */
        List<Tensor> apply(Tensor input, Tensor hx, List<Tensor> params, boolean hasBiases, long numLayers,
                           double dropout, boolean train, boolean bidirectional, boolean batchFirst);
    }

    private final RNNOptions options;
    private final Mode mode;
    /** In PyTorch's {@code _flat_weights} order, which is the order the fused kernels expect. */
    private final List<Tensor> flatWeights;

    RNNBase(RNNOptions options, Mode mode) {
        if (options == null) {
            throw new IllegalArgumentException("options must not be null");
        }
        if (mode != Mode.LSTM && options.projSize() > 0) {
            throw new IllegalArgumentException("proj_size argument is only supported for LSTM, not RNN or GRU");
        }
        if ((mode == Mode.LSTM || mode == Mode.GRU) && options.nonlinearity() != RNN.Nonlinearity.TANH) {
            throw new IllegalArgumentException("nonlinearity " + options.nonlinearity() + " is only supported by RNN");
        }
        this.options = options;
        this.mode = mode;
        long h = options.hiddenSize();
        long real = options.realHiddenSize();
        long gateSize = mode.gates * h;
        double k = 1.0 / Math.sqrt(h);
        List<Tensor> weights = new ArrayList<>();
        for (long layer = 0; layer < options.numLayers(); layer++) {
            long in = layer == 0 ? options.inputSize() : real * options.numDirections();
            for (long dir = 0; dir < options.numDirections(); dir++) {
                String sfx = "_l" + layer + (dir == 1 ? "_reverse" : "");
                weights.add(param("weight_ih" + sfx, k, gateSize, in));
                weights.add(param("weight_hh" + sfx, k, gateSize, real));
                if (options.bias()) {
                    weights.add(param("bias_ih" + sfx, k, gateSize));
                    weights.add(param("bias_hh" + sfx, k, gateSize));
                }
                if (options.projSize() > 0) {
                    weights.add(param("weight_hr" + sfx, k, options.projSize(), h));
                }
            }
        }
        this.flatWeights = Collections.unmodifiableList(weights);
    }

    private Tensor param(String name, double k, long... shape) {
        return registerParameter(name, () -> Tensor.empty(shape).uniform_(-k, k));
    }

    /** The options this layer was built with. */
    public RNNOptions options() {
        return options;
    }

    /** The parameters in PyTorch's {@code _flat_weights} order; owned by this layer. */
    public List<Tensor> flatWeights() {
        return whileOpen(flatWeights);
    }

    /**
     * Runs the layers from zero initial states.
     *
     * @return the output sequence, in the current scope
     * @throws IllegalArgumentException if the input's shape, dtype or device does not fit
     */
    @Override
    public final Tensor forward(Tensor input) {
        return run(input, null, null)[0];
    }

    /**
     * Checks shapes, adds zero initial states where none are given, and runs the fused kernel.
     *
     * @param c0 the LSTM cell state, or null (always null for GRU and RNN)
     * @return output, h_n and (LSTM only) c_n, in the caller's scope, unbatched if the input was
     */
    final Tensor[] run(Tensor input, Tensor h0, Tensor c0) {
        checkOpen();
        String name = getClass().getSimpleName();
        boolean batched = Layers.checkRecurrentInput(name, input, 2, flatWeights.get(0), options.inputSize());
        long batch = batched ? input.size(options.batchFirst() ? 0 : 1) : 1;
        long steps = input.size(batched && options.batchFirst() ? 1 : 0);
        if (batch == 0 || steps == 0) {
            throw new IllegalArgumentException(name + ": input of shape " + input.shape() + " has no "
                    + (steps == 0 ? "time steps" : "batch entries"));
        }
        long layers = options.numLayers() * options.numDirections();
        long[] hShape = batched ? new long[] {layers, batch, options.realHiddenSize()}
                : new long[] {layers, options.realHiddenSize()};
        long[] cShape = batched ? new long[] {layers, batch, options.hiddenSize()} : new long[] {layers, options.hiddenSize()};
        checkState(name, mode == Mode.LSTM ? "h_0" : "hx", h0, hShape, input);
        checkState(name, "c_0", c0, cShape, input);
        if (!batched) {
            input = input.unsqueeze(options.batchFirst() ? 0 : 1);
        }
        long[] hb = batched ? hShape : new long[] {layers, 1, options.realHiddenSize()};
        long[] cb = batched ? cShape : new long[] {layers, 1, options.hiddenSize()};
        Tensor h = h0 == null ? Tensor.zeros(hb, input.dtype(), input.device()) : batched ? h0 : h0.unsqueeze(1);
        boolean train = isTraining();
        double p = options.dropout();
        List<Tensor> r;
        if (mode == Mode.LSTM) {
            Tensor c = c0 == null ? Tensor.zeros(cb, input.dtype(), input.device()) : batched ? c0 : c0.unsqueeze(1);
            r = Tensor.lstm(input, List.of(h, c), flatWeights, options.bias(), options.numLayers(), p, train,
                    options.bidirectional(), options.batchFirst());
        } else {
            r = mode.kernel.apply(input, h, flatWeights, options.bias(), options.numLayers(), p, train,
                    options.bidirectional(), options.batchFirst());
        }
        Tensor[] out = new Tensor[] {r.get(0), r.get(1), mode == Mode.LSTM ? r.get(2) : null};
        if (!batched) {
            out[0] = out[0].squeeze(options.batchFirst() ? 0 : 1);
            out[1] = out[1].squeeze(1);
            if (out[2] != null) {
                out[2] = out[2].squeeze(1);
            }
        }
        return out;
    }

    private static void checkState(String name, String what, Tensor s, long[] expected, Tensor input) {
        if (s == null) {
            return;
        }
        if (!Arrays.equals(s.shape().toArray(), expected)) {
            throw new IllegalArgumentException(name + ": " + what + " of shape " + s.shape() + " does not fit input of shape "
                    + input.shape() + ": expected " + Arrays.toString(expected));
        }
        if (s.dtype() != input.dtype() || !s.device().equals(input.device())) {
            throw new IllegalArgumentException(name + ": " + what + " is " + s.dtype() + " on " + s.device() + " but input is "
                    + input.dtype() + " on " + input.device());
        }
    }

    /** PyTorch's {@code extra_repr}, which leaves out RNN's nonlinearity. */
    @Override
    protected String extraRepr() {
        StringBuilder sb = new StringBuilder().append(options.inputSize()).append(", ").append(options.hiddenSize());
        if (options.projSize() > 0) {
            sb.append(", proj_size=").append(options.projSize());
        }
        if (options.numLayers() != 1) {
            sb.append(", num_layers=").append(options.numLayers());
        }
        if (!options.bias()) {
            sb.append(", bias=False");
        }
        if (options.batchFirst()) {
            sb.append(", batch_first=True");
        }
        if (options.dropout() != 0) {
            sb.append(", dropout=").append(options.dropout());
        }
        if (options.bidirectional()) {
            sb.append(", bidirectional=True");
        }
        return sb.toString();
    }
}
