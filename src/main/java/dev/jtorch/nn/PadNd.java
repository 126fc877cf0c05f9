package dev.jtorch.nn;

import dev.jtorch.nn.functional.F;
import dev.jtorch.tensor.Tensor;
import java.util.Arrays;

/**
 * What PyTorch's padding layers share ({@code _ConstantPadNd}, {@code _ReflectionPadNd},
 * {@code _ReplicationPadNd}): the amounts for the last {@code dims} dimensions, in {@code F.pad}'s
 * order (last dimension first: left, right, then top, bottom, then front, back), and the mode.
 */
abstract class PadNd extends Module {
    private final long[] padding;
    private final String mode;
    private final double value;

    /**
     * @param padding one amount for every side, or {@code 2 * dims} amounts
     * @param mode {@code F.pad}'s mode: constant, reflect or replicate
     * @throws IllegalArgumentException if the amounts are not 1 or {@code 2 * dims} values
     */
    PadNd(String layer, int dims, long[] padding, String mode, double value) {
        if (padding == null || (padding.length != 1 && padding.length != 2 * dims)) {
            throw new IllegalArgumentException(layer + ": padding must have 1 or " + 2 * dims + " values, got "
                    + (padding == null ? "null" : Arrays.toString(padding)));
        }
        if (padding.length == 1) {
            padding = filled(2 * dims, padding[0]);
        }
        if (!mode.equals("constant")) {
            for (long p : padding) {
                if (p < 0) {
                    throw new IllegalArgumentException(layer + ": padding must be non-negative in " + mode + " mode, got "
                            + Arrays.toString(padding));
                }
            }
        }
        this.padding = padding.clone();
        this.mode = mode;
        this.value = value;
    }

    private static long[] filled(int n, long v) {
        long[] out = new long[n];
        Arrays.fill(out, v);
        return out;
    }

    /**
     * Pads the last dimensions of {@code input}; the result belongs to the current scope.
     *
     * @throws dev.jtorch.TorchException naming this layer if the input has too few dimensions or (reflect)
     *     a padding is not smaller than the dimension it pads
     * @throws IllegalStateException if no scope is open or the layer is closed
     */
    @Override
    public final Tensor forward(Tensor input) {
        checkOpen();
        return Layers.run(this, () -> F.pad(input, padding, mode, value));
    }

    /** The amounts, last dimension first (left, right, top, bottom, front, back), a copy. */
    public final long[] padding() {
        return padding.clone();
    }

    /** {@code (1, 1, 2, 0)}, as PyTorch prints the amounts. */
    final String paddingRepr() {
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < padding.length; i++) {
            sb.append(i == 0 ? "" : ", ").append(padding[i]);
        }
        return sb.append(')').toString();
    }

    /** The fill of the constant layers. */
    final double fill() {
        return value;
    }

    @Override
    protected String extraRepr() {
        return paddingRepr();
    }
}
