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
            "aten::lstm_cell", cell(4, true));

    static Guard forOp(String qualifiedName) {
        return GUARDS.get(qualifiedName);
    }
}
