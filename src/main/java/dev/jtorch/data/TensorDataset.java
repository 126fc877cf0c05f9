package dev.jtorch.data;

import dev.jtorch.DType;
import dev.jtorch.tensor.Tensor;
import java.util.Arrays;
import java.util.Objects;

/**
 * An in-memory data set of samples and their targets, from Java arrays or tensors, as PyTorch's
 * {@code TensorDataset}: sample {@code i} is row {@code i} of the features and of the targets.
 *
 * <pre>{@code
 * TensorDataset train = TensorDataset.of(x, new long[] {20}, labels);   // float[N*20], long[N]
 * try (TensorLoader loader = TensorLoader.builder(train).batchSize(32).shuffle(true).build()) { ... }
 * }</pre>
 *
 * <p>Features are float32, targets either int64 class indices ({@link #of(float[], long[], long[])})
 * or float32 values ({@link #ofRegression}). The arrays are copied: the set holds no native
 * memory and nothing to close, and later changes to the caller's arrays do not reach it.
 */
public final class TensorDataset {
    private final float[] features;
    private final long[] sampleShape;
    private final int sampleSize;
    private final long[] labels;
    private final float[] values;
    private final long[] targetShape;
    private final int targetSize;
    private final int size;

    private TensorDataset(float[] features, long[] sampleShape, long[] labels, float[] values, long[] targetShape) {
        this.features = features;
        this.sampleShape = sampleShape;
        this.labels = labels;
        this.values = values;
        this.targetShape = targetShape;
        this.sampleSize = elements(sampleShape, "sample shape");
        this.targetSize = elements(targetShape, "target shape");
        if (sampleSize == 0 || features.length % sampleSize != 0) {
            throw new IllegalArgumentException("TensorDataset: " + features.length + " feature values are not a whole"
                    + " number of samples of shape " + Arrays.toString(sampleShape));
        }
        this.size = features.length / sampleSize;
        int targets = labels != null ? labels.length : values.length;
        if ((long) size * targetSize != targets) {
            throw new IllegalArgumentException("TensorDataset: " + size + " samples of shape "
                    + Arrays.toString(sampleShape) + " but " + targets + " target values (expected " + size + " x "
                    + Arrays.toString(targetShape) + ")");
        }
    }

    private static int elements(long[] shape, String what) {
        long n = 1;
        for (long d : shape) {
            if (d < 1) {
                throw new IllegalArgumentException("TensorDataset: every size of the " + what + " must be positive, got "
                        + Arrays.toString(shape));
            }
            n *= d;
            if (n > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("TensorDataset: the " + what + " " + Arrays.toString(shape)
                        + " has more than 2^31-1 elements");
            }
        }
        return (int) n;
    }

    /**
     * A classification set: {@code features} holds the samples one after another, each of
     * {@code sampleShape} (row-major), and {@code labels} one class index per sample.
     *
     * @throws IllegalArgumentException if the lengths do not fit or a size is not positive
     * @throws NullPointerException if an argument is null
     */
    public static TensorDataset of(float[] features, long[] sampleShape, long[] labels) {
        return new TensorDataset(features.clone(), sampleShape.clone(), labels.clone(), null, new long[0]);
    }

    /**
     * A regression set: float32 targets of {@code targetShape} per sample ({@code new long[0]}
     * for one number each).
     *
     * @throws IllegalArgumentException if the lengths do not fit or a size is not positive
     */
    public static TensorDataset ofRegression(float[] features, long[] sampleShape, float[] targets, long[] targetShape) {
        return new TensorDataset(features.clone(), sampleShape.clone(), null, targets.clone(), targetShape.clone());
    }

    /**
     * A set copied from tensors (any device) whose first dimension counts the samples: features
     * converted to float32; targets kept as int64 class indices when they are integers, else
     * converted to float32.
     *
     * @throws IllegalArgumentException if the first sizes differ or either has no dimension
     */
    public static TensorDataset of(Tensor features, Tensor targets) {
        Objects.requireNonNull(features, "features");
        Objects.requireNonNull(targets, "targets");
        if (features.dim() < 1 || targets.dim() < 1 || features.size(0) != targets.size(0)) {
            throw new IllegalArgumentException("TensorDataset: features " + features.shape() + " and targets "
                    + targets.shape() + " must have the same size along dim 0");
        }
        long[] fs = features.shape().toArray();
        long[] ts = targets.shape().toArray();
        long[] sample = Arrays.copyOfRange(fs, 1, fs.length);
        long[] target = Arrays.copyOfRange(ts, 1, ts.length);
        float[] x = features.to(DType.FLOAT32).toFloatArray();
        DType t = targets.dtype();
        if (t == DType.INT64 || t == DType.INT32 || t == DType.INT16 || t == DType.INT8 || t == DType.UINT8) {
            return new TensorDataset(x, sample, targets.to(DType.INT64).toLongArray(), null, target);
        }
        return new TensorDataset(x, sample, null, targets.to(DType.FLOAT32).toFloatArray(), target);
    }

    /** Number of samples. */
    public int size() {
        return size;
    }

    /** The shape of one sample (a copy). */
    public long[] sampleShape() {
        return sampleShape.clone();
    }

    /** The shape of one sample's target (a copy; empty for one number or class index). */
    public long[] targetShape() {
        return targetShape.clone();
    }

    /** Whether the targets are int64 class indices (else float32 values). */
    public boolean classification() {
        return labels != null;
    }

    /** Samples {@code index}, in that order, and their targets as one batch of Java arrays. */
    HostBatch batch(int[] index) {
        int n = index.length;
        float[] x = new float[n * sampleSize];
        Object y = labels != null ? new long[n * targetSize] : new float[n * targetSize];
        for (int i = 0; i < n; i++) {
            int s = index[i];
            System.arraycopy(features, s * sampleSize, x, i * sampleSize, sampleSize);
            System.arraycopy(labels != null ? labels : values, s * targetSize, y, i * targetSize, targetSize);
        }
        return new HostBatch(x, HostBatch.prepend(n, sampleShape), y, HostBatch.prepend(n, targetShape));
    }
}
