package dev.jtorch.internal;

import dev.jtorch.DType;
import java.util.Map;

/**
 * Argument checks for the few operators whose kernels crash the process, instead of raising, on
 * some inputs; each entry names the input and what the kernel does with it. Found by
 * {@code OpRobustnessTest}, which calls every generated op with hostile arguments.
 */
final class OpGuards {
    private OpGuards() {}

    /** A check of one operator's arguments (schema order, {@link NativeOps#DEFAULT} where not given). */
    interface Guard {
        void check(String op, Object[] args);
    }

    // arange/range with an integral dtype truncate a fractional step to 0 and divide by it
    // (SIGFPE in libtorch 2.10; 1.13 raised "step must be nonzero").
    private static final Guard INTEGRAL_STEP = (op, args) -> {
        Object step = args.length > 2 ? args[2] : NativeOps.DEFAULT;
        Object dtype = args.length > 3 ? args[3] : null;
        if (step instanceof Number n && dtype instanceof DType t && !t.isFloatingPoint()
                && (long) n.doubleValue() == 0) {
            throw new IllegalArgumentException(op + ": step " + n + " is 0 in " + t + "; step must be nonzero");
        }
    };

    /**
     * The recurrent cells split their gate products into {@code gates} chunks without checking that
     * the weights have {@code gates * hidden} rows: a mismatch indexes past the chunks (SIGSEGV in
     * libtorch 2.10). PyTorch's Python modules check the shapes first; the bare operators do not.
     */
    private static Guard cell(int gates, boolean hxList) {
        return (op, args) -> {
            NativeTensor input = tensorArg(args, 0);
            NativeTensor hx = hxList ? first(args[1]) : tensorArg(args, 1);
            NativeTensor wIh = tensorArg(args, 2);
            NativeTensor wHh = tensorArg(args, 3);
            if (input == null || hx == null || wIh == null || wHh == null) {
                return; // the schema conversion reports the missing argument
            }
            long[] in = input.shape();
            long[] h = hx.shape();
            if (in.length < 1 || in.length > 2 || h.length != in.length) {
                throw new IllegalArgumentException(op + ": input " + java.util.Arrays.toString(in) + " and hx "
                        + java.util.Arrays.toString(h) + " must both be 1-D (unbatched) or 2-D [batch, features]");
            }
            long hidden = h[h.length - 1];
            long[] wi = wIh.shape();
            long[] wh = wHh.shape();
            if (wi.length != 2 || wi[0] != gates * hidden || wi[1] != in[in.length - 1]) {
                throw new IllegalArgumentException(op + ": w_ih has shape " + java.util.Arrays.toString(wi)
                        + ", expected [" + gates * hidden + ", " + in[in.length - 1] + "] (" + gates + " gates x hidden "
                        + hidden + ", input features)");
            }
            if (wh.length != 2 || wh[0] != gates * hidden || wh[1] != hidden) {
                throw new IllegalArgumentException(op + ": w_hh has shape " + java.util.Arrays.toString(wh)
                        + ", expected [" + gates * hidden + ", " + hidden + "]");
            }
            if (in.length == 2 && in[0] != h[0]) {
                throw new IllegalArgumentException(op + ": input batch " + in[0] + " does not match hx batch " + h[0]);
            }
            for (int i = 4; i < 6 && i < args.length; i++) {
                NativeTensor b = tensorArg(args, i);
                if (b != null && (b.shape().length != 1 || b.shape()[0] != gates * hidden)) {
                    throw new IllegalArgumentException(op + ": bias " + java.util.Arrays.toString(b.shape())
                            + ", expected [" + gates * hidden + "]");
                }
            }
        };
    }

    /**
     * The fused multi-layer kernels split each layer's gate products the same way: every weight's
     * rows must be {@code gates * hidden} (a mismatch without biases crashes libtorch 2.10), and
     * the parameter list must have one group per layer and direction.
     * Schema: (input, hx, params, has_biases, num_layers, dropout, train, bidirectional, batch_first).
     */
    private static Guard fused(int gates, boolean hxList) {
        return (op, args) -> {
            if (args.length < 8 || !(args[2] instanceof NativeTensor[] params) || !(args[3] instanceof Boolean bias)
                    || !(args[4] instanceof Number layersArg) || !(args[7] instanceof Boolean bidirectional)) {
                return; // the schema conversion reports what is missing or mistyped
            }
            NativeTensor input = tensorArg(args, 0);
            NativeTensor h = hxList ? first(args[1]) : tensorArg(args, 1);
            NativeTensor c = hxList && args[1] instanceof NativeTensor[] hs && hs.length > 1 ? hs[1] : h;
            if (input == null || h == null || c == null) {
                return;
            }
            long layers = layersArg.longValue();
            int dirs = bidirectional ? 2 : 1;
            long[] hShape = h.shape();
            long[] cShape = c.shape();
            if (layers < 1 || hShape.length < 1 || cShape.length < 1) {
                throw new IllegalArgumentException(op + ": num_layers " + layers + " and hx " + java.util.Arrays.toString(hShape)
                        + " do not describe a recurrent network");
            }
            long hidden = cShape[cShape.length - 1];
            long out = hShape[hShape.length - 1];
            int perGroup = (bias ? 4 : 2) + (out != hidden ? 1 : 0);
            if (params.length != layers * dirs * perGroup) {
                throw new IllegalArgumentException(op + ": " + params.length + " parameters, expected " + layers * dirs * perGroup
                        + " (" + layers + " layers x " + dirs + " directions x " + perGroup + ")");
            }
            long[] in = input.shape();
            long features = in.length == 0 ? -1 : in[in.length - 1];
            int k = 0;
            for (long l = 0; l < layers; l++) {
                long inL = l == 0 ? features : dirs * out;
                for (int d = 0; d < dirs; d++) {
                    expect(op, params[k++], new long[] {gates * hidden, inL}, "weight_ih_l" + l);
                    expect(op, params[k++], new long[] {gates * hidden, out}, "weight_hh_l" + l);
                    if (bias) {
                        expect(op, params[k++], new long[] {gates * hidden}, "bias_ih_l" + l);
                        expect(op, params[k++], new long[] {gates * hidden}, "bias_hh_l" + l);
                    }
                    if (out != hidden) {
                        expect(op, params[k++], new long[] {out, hidden}, "weight_hr_l" + l);
                    }
                }
            }
        };
    }

    private static void expect(String op, NativeTensor t, long[] shape, String what) {
        if (t == null || !java.util.Arrays.equals(t.shape(), shape)) {
            throw new IllegalArgumentException(op + ": " + what + " has shape "
                    + (t == null ? "null" : java.util.Arrays.toString(t.shape())) + ", expected " + java.util.Arrays.toString(shape));
        }
    }

    private static NativeTensor tensorArg(Object[] args, int i) {
        return i < args.length && args[i] instanceof NativeTensor t ? t : null;
    }

    private static NativeTensor first(Object list) {
        return list instanceof NativeTensor[] ts && ts.length > 0 ? ts[0] : null;
    }

    private static final Map<String, Guard> GUARDS = Map.of(
            "aten::arange.start_step", INTEGRAL_STEP,
            "aten::range.step", INTEGRAL_STEP,
            "aten::gru_cell", cell(3, false),
            "aten::rnn_tanh_cell", cell(1, false),
            "aten::rnn_relu_cell", cell(1, false),
            "aten::lstm_cell", cell(4, true),
            "aten::lstm.input", fused(4, true),
            "aten::gru.input", fused(3, false),
            "aten::rnn_tanh.input", fused(1, false),
            "aten::rnn_relu.input", fused(1, false));

    static Guard forOp(String qualifiedName) {
        return GUARDS.get(qualifiedName);
    }
}
