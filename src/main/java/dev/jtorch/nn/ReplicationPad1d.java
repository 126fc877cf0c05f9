package dev.jtorch.nn;

/**
 * Pads the last dimension of {@code [N, C, W]} or {@code [C, W]} with copies of the edge values, as PyTorch's {@code nn.ReplicationPad1d}. No parameters.
 */
public final class ReplicationPad1d extends PadNd {
    /**
     * The same amount on every side.
     *
     * @throws IllegalArgumentException if it is negative
     */
    public ReplicationPad1d(long padding) {
        super("ReplicationPad1d", 1, new long[] {padding}, "replicate", 0);
    }

    /**
     * Amounts (left, right).
     *
     * @throws IllegalArgumentException if there are not 2 or one is negative
     */
    public ReplicationPad1d(long... padding) {
        super("ReplicationPad1d", 1, padding, "replicate", 0);
    }
}
