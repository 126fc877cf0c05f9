package dev.jtorch.nn;

/**
 * Pads the last three dimensions of {@code [N, C, D, H, W]} or {@code [C, D, H, W]} with copies of the edge values, as PyTorch's {@code nn.ReplicationPad3d}. No parameters.
 */
public final class ReplicationPad3d extends PadNd {
    /**
     * The same amount on every side.
     *
     * @throws IllegalArgumentException if it is negative
     */
    public ReplicationPad3d(long padding) {
        super("ReplicationPad3d", 3, new long[] {padding}, "replicate", 0);
    }

    /**
     * Amounts (left, right, top, bottom, front, back).
     *
     * @throws IllegalArgumentException if there are not 6 or one is negative
     */
    public ReplicationPad3d(long... padding) {
        super("ReplicationPad3d", 3, padding, "replicate", 0);
    }
}
