package dev.jtorch.nn;

/**
 * Pads the last two dimensions of {@code [N, C, H, W]} or {@code [C, H, W]} with copies of the edge values, as PyTorch's {@code nn.ReplicationPad2d}. No parameters.
 */
public final class ReplicationPad2d extends PadNd {
    /**
     * The same amount on every side.
     *
     * @throws IllegalArgumentException if it is negative
     */
    public ReplicationPad2d(long padding) {
        super("ReplicationPad2d", 2, new long[] {padding}, "replicate", 0);
    }

    /**
     * Amounts (left, right, top, bottom).
     *
     * @throws IllegalArgumentException if there are not 4 or one is negative
     */
    public ReplicationPad2d(long... padding) {
        super("ReplicationPad2d", 2, padding, "replicate", 0);
    }
}
