package dev.jtorch.metrics;

import dev.jtorch.DType;
import dev.jtorch.Device;
import dev.jtorch.internal.NativeTensor;
import dev.jtorch.tensor.Tensor;
import dev.jtorch.tensor.TensorScope;
import dev.jtorch.tensor.access.TensorAccess;
import java.util.List;

/**
 * A {@code numClasses x numClasses} confusion matrix accumulated on the device of the batches fed
 * to it (rows = true class, columns = predicted class, as scikit-learn's {@code confusion_matrix}).
 *
 * <p>Each {@link #update} adds {@code bincount(target * C + predicted, C * C)} to an int64
 * accumulator of {@code C * C} counts that lives on the device of the first batch, so evaluation
 * on a GPU moves only the final counts to the host. <b>Ownership:</b> the accumulator is not owned
 * by any {@link TensorScope}; it is freed by {@link #close()} (idempotent), after which every
 * method but {@code close} throws {@link IllegalStateException}. Not thread-safe.
 */
public final class ConfusionMatrix extends Accumulator {
    private final int numClasses;
    /** Flat C*C int64 counts, null until the first non-empty batch fixes the device. */
    private NativeTensor counts;
    private long total;

    /**
     * An empty matrix for classes {@code 0..numClasses-1}.
     *
     * @throws IllegalArgumentException if {@code numClasses < 1} or its square overflows an int
     */
    public ConfusionMatrix(int numClasses) {
        if (numClasses < 1 || (long) numClasses * numClasses > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("ConfusionMatrix: numClasses must be in 1.." + 46340 + ", got " + numClasses);
        }
        this.numClasses = numClasses;
    }

    /** The number of classes C. */
    public int numClasses() {
        return numClasses;
    }

    /** Number of samples counted so far. */
    public long total() {
        checkOpen();
        return total;
    }

    /** The device holding the counts, or null before the first non-empty batch. */
    public Device device() {
        checkOpen();
        return counts == null ? null : counts.device();
    }

    /**
     * Counts one batch. Both tensors are 1-D of the same length with integer class indices in
     * {@code [0, numClasses)} (any integer dtype; they are converted to int64). If the accumulator
     * already lives on another device, the batch's counts are copied to it. Needs no open scope:
     * intermediates live in a private one.
     *
     * @throws IllegalArgumentException naming the shapes, dtypes or the offending class index if the
     *     batch is malformed
     * @throws IllegalStateException if closed
     */
    public void update(Tensor predictedClasses, Tensor targets) {
        checkOpen();
        validate(predictedClasses, "predictedClasses");
        validate(targets, "targets");
        if (predictedClasses.size(0) != targets.size(0)) {
            throw new IllegalArgumentException("ConfusionMatrix.update: predictedClasses " + predictedClasses.shape()
                    + " and targets " + targets.shape() + " must have the same length");
        }
        long n = targets.size(0);
        if (n == 0) {
            return;
        }
        long c = numClasses;
        try (TensorScope s = TensorScope.open()) {
            Tensor pred = predictedClasses.to(DType.INT64);
            Tensor tgt = targets.device().equals(pred.device()) ? targets.to(DType.INT64) : targets.to(pred.device(), DType.INT64);
            // one host sync for all four bounds
            long[] bounds = Tensor.stack(List.of(pred.min(), pred.max(), tgt.min(), tgt.max()), 0).toLongArray();
            checkRange("predictedClasses", bounds[0], bounds[1]);
            checkRange("targets", bounds[2], bounds[3]);
            Tensor batch = tgt.mul(c).add(pred).bincount(c * c);
            if (counts == null) {
                counts = NativeTensor.zeros(new long[] {c * c}, DType.INT64, batch.device());
            } else if (!counts.device().equals(batch.device())) {
                batch = batch.to(counts.device());
            }
            NativeTensor sum = counts.arith(NativeTensor.Arith.ADD, TensorAccess.handle(batch));
            counts.close();
            counts = sum;
            total += n;
        }
    }

    private void validate(Tensor t, String name) {
        if (t == null) {
            throw new IllegalArgumentException("ConfusionMatrix.update: " + name + " is null");
        }
        if (t.dim() != 1) {
            throw new IllegalArgumentException("ConfusionMatrix.update: " + name + " must be 1-D class indices [N], got shape "
                    + t.shape());
        }
        DType d = t.dtype();
        if (d.isFloatingPoint() || d == DType.BOOL) {
            throw new IllegalArgumentException("ConfusionMatrix.update: " + name + " must hold integer class indices, got "
                    + d + " of shape " + t.shape());
        }
    }

    private void checkRange(String name, long min, long max) {
        if (min < 0 || max >= numClasses) {
            long bad = min < 0 ? min : max;
            throw new IllegalArgumentException("ConfusionMatrix.update: " + name + " holds class " + bad
                    + ", outside [0, " + numClasses + ")");
        }
    }

    /**
     * The counts as {@code long[C][C]}: {@code counts()[t][p]} samples of true class {@code t} were
     * predicted as {@code p}. All zeros before the first batch. Copies from the device.
     *
     * @throws IllegalStateException if closed
     */
    public long[][] counts() {
        checkOpen();
        long[][] out = new long[numClasses][numClasses];
        if (counts == null) {
            return out;
        }
        long[] flat = counts.toLongs();
        for (int t = 0; t < numClasses; t++) {
            System.arraycopy(flat, t * numClasses, out[t], 0, numClasses);
        }
        return out;
    }

    /** Forgets every count, keeping the accumulator's device. */
    public void reset() {
        checkOpen();
        if (counts != null) {
            NativeTensor z = NativeTensor.zeros(new long[] {(long) numClasses * numClasses}, DType.INT64, counts.device());
            counts.close();
            counts = z;
        }
        total = 0;
    }

    /** The report of the counts so far; see {@link ClassificationReport#of}. */
    public ClassificationReport report(List<String> labels) {
        return ClassificationReport.of(counts(), labels);
    }

    /** Frees the device accumulator. */
    @Override
    void free() {
        if (counts != null) {
            counts.close();
            counts = null;
        }
    }

    @Override
    public String toString() {
        return "ConfusionMatrix(" + numClasses + " classes" + (isClosed() ? ", closed)" : ", " + total + " samples)");
    }
}
