package dev.jtorch.metrics;

import dev.jtorch.DType;
import dev.jtorch.tensor.Tensor;
import java.util.List;

/** Argument checks shared by the metrics; every message names the op, the tensor and its shape. */
final class Checks {
    private Checks() {}

    /**
     * Checks logits {@code [N, C]} (floating, N, C >= 1, C = {@code numClasses} unless that is -1)
     * and integer targets {@code [N]} with values in {@code [0, C)} (one host sync).
     */
    static void logitsAndTargets(String op, Tensor logits, Tensor targets, int numClasses) {
        if (logits == null || targets == null) {
            throw new IllegalArgumentException(op + ": logits and targets must not be null");
        }
        if (logits.dim() != 2) {
            throw new IllegalArgumentException(op + ": logits must be [N, C], got shape " + logits.shape());
        }
        if (!logits.dtype().isFloatingPoint()) {
            throw new IllegalArgumentException(op + ": logits must be floating point, got " + logits.dtype()
                    + " of shape " + logits.shape());
        }
        long c = logits.size(1);
        if (c < 1) {
            throw new IllegalArgumentException(op + ": logits of shape " + logits.shape() + " have no class column");
        }
        if (numClasses >= 0 && c != numClasses) {
            throw new IllegalArgumentException(op + ": logits of shape " + logits.shape() + " have " + c
                    + " classes, expected " + numClasses);
        }
        if (targets.dim() != 1 || targets.size(0) != logits.size(0)) {
            throw new IllegalArgumentException(op + ": targets must be [" + logits.size(0) + "] to match logits "
                    + logits.shape() + ", got shape " + targets.shape());
        }
        DType d = targets.dtype();
        if (d.isFloatingPoint() || d == DType.BOOL) {
            throw new IllegalArgumentException(op + ": targets must hold integer class indices, got " + d
                    + " of shape " + targets.shape());
        }
        if (targets.size(0) > 0) {
            long[] b = Tensor.stack(List.of(targets.min().to(DType.INT64), targets.max().to(DType.INT64)), 0).toLongArray();
            if (b[0] < 0 || b[1] >= c) {
                throw new IllegalArgumentException(op + ": targets hold class " + (b[0] < 0 ? b[0] : b[1])
                        + ", outside [0, " + c + ") of logits " + logits.shape());
            }
        }
    }

    /** {@code targets} as int64 on the logits' device. */
    static Tensor targetsFor(Tensor logits, Tensor targets) {
        return targets.to(logits.device(), DType.INT64);
    }
}
