package dev.jtorch.nn;

import dev.jtorch.TorchException;
import dev.jtorch.internal.NativeModule;
import dev.jtorch.internal.NativeTensor;
import dev.jtorch.tensor.Tensor;
import dev.jtorch.tensor.TensorScope;
import dev.jtorch.tensor.access.TensorAccess;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What {@link BatchNorm1d} and {@link BatchNorm2d} share: a libtorch {@code BatchNorm{1,2}d}
 * whose parameters and running statistics this Java module adopts under PyTorch's names.
 */
abstract class BatchNormBase extends AffineLayer {
    /** The input ranks libtorch's {@code BatchNorm{dims}d} takes: 2 or 3 for one, 4 for two. */
    private final int[] ranks;
    private final long numFeatures;
    private final double eps;
    private final Double momentum;
    private final boolean trackRunningStats;
    private final Tensor runningMean;
    private final Tensor runningVar;
    private final Tensor numBatchesTracked;

    BatchNormBase(int dims, long numFeatures, double eps, Double momentum, boolean affine, boolean trackRunningStats) {
        String name = "BatchNorm" + dims + "d";
        if (numFeatures <= 0) {
            throw new IllegalArgumentException(name + " numFeatures must be positive, got " + numFeatures);
        }
        LayerInit.nonNegativeFinite(eps, name, "eps");
        if (momentum != null && !Double.isFinite(momentum)) {
            throw new IllegalArgumentException(name + " momentum must be finite (or null for a cumulative average), got "
                    + momentum);
        }
        this.ranks = dims == 1 ? new int[] {2, 3} : new int[] {4};
        this.numFeatures = numFeatures;
        this.eps = eps;
        this.momentum = momentum;
        this.trackRunningStats = trackRunningStats;
        NativeModule nativeModule = NativeModule.batchNorm(dims, numFeatures, eps, momentum, affine, trackRunningStats);
        adoptWeightAndBias(nativeModule, affine, affine);
        Map<String, NativeTensor> b = nativeModule.buffers();
        this.runningMean = trackRunningStats ? adoptBuffer("running_mean", b.get("running_mean")) : null;
        this.runningVar = trackRunningStats ? adoptBuffer("running_var", b.get("running_var")) : null;
        this.numBatchesTracked = trackRunningStats ? adoptBuffer("num_batches_tracked", b.get("num_batches_tracked")) : null;
    }

    /**
     * Throws, naming the layer and the input shape, unless {@code input} has one of the layer's
     * ranks ({@code [N, C]}, {@code [N, C, L]} or {@code [N, C, H, W]}) with {@code C == numFeatures}.
     */
    private void checkInput(Tensor input) {
        List<String> expected = new ArrayList<>();
        for (int rank : ranks) {
            String layout = rank == 2 ? "[N, C]" : rank == 3 ? "[N, C, L]" : "[N, C, H, W]";
            if (input.dim() == rank) {
                if (input.size(1) != numFeatures) {
                    throw new TorchException(this + ": expected input " + layout + " with C = " + numFeatures
                            + " features, got input of shape " + input.shape());
                }
                return;
            }
            expected.add(rank + "-D " + layout.replace("C", Long.toString(numFeatures)));
        }
        throw new TorchException(this + ": expected a " + String.join(" or ", expected) + " input, got input of shape "
                + input.shape());
    }

    /**
     * Normalises each feature over the batch (and spatial) dimensions. In training mode it uses the
     * batch statistics and updates {@code running_mean}, {@code running_var} (unbiased variance) and
     * {@code num_batches_tracked}; in eval mode it uses the running statistics (when tracked).
     *
     * @return a tensor of the input's shape, owned by the current scope
     * @throws TorchException naming this layer and the input shape if the input has the wrong
     *     number of dimensions or features, or (training) only one value per feature; the running
     *     statistics are left untouched then
     * @throws IllegalStateException if no scope is open or the layer is closed
     */
    @Override
    public final Tensor forward(Tensor input) {
        checkOpen();
        if (!TensorScope.isOpen()) {
            // checked before the native forward, which updates the running statistics in training mode
            throw new IllegalStateException(getClass().getSimpleName() + ".forward: no TensorScope is open on thread "
                    + Thread.currentThread().getName() + ". Wrap tensor code in"
                    + " try (TensorScope s = TensorScope.open()) { ... }");
        }
        checkInput(input);
        if (isTraining()) {
            long perChannel = input.numel() / Math.max(1, input.size(1));
            if (perChannel <= 1) {
                // checked here, before the native forward counts the batch
                throw new TorchException(this + ": expected more than 1 value per channel when training, got input of shape "
                        + input.shape());
            }
        }
        NativeTensor x = TensorAccess.handle(input);
        return Layers.run(this, () -> TensorAccess.scoped(nativeModule().forward(x), getClass().getSimpleName() + ".forward"));
    }

    /** The running mean, {@code [numFeatures]}, a buffer owned by this layer; null if stats are not tracked. */
    public final Tensor runningMean() {
        return whileOpen(runningMean);
    }

    /** The running (unbiased) variance, {@code [numFeatures]}; null if stats are not tracked. */
    public final Tensor runningVar() {
        return whileOpen(runningVar);
    }

    /** The int64 scalar count of training batches seen; null if stats are not tracked. */
    public final Tensor numBatchesTracked() {
        return whileOpen(numBatchesTracked);
    }

    /** Number of features (channels) {@code C}. */
    public final long numFeatures() {
        return numFeatures;
    }

    /** The value added to the variance for stability. */
    public final double eps() {
        return eps;
    }

    /** The running-average factor, or null for a cumulative moving average. */
    public final Double momentum() {
        return momentum;
    }

    /** Whether the layer has a learnable scale and shift. */
    public final boolean affine() {
        return hasWeight();
    }

    /** Whether the layer keeps running statistics. */
    public final boolean trackRunningStats() {
        return trackRunningStats;
    }

    @Override
    protected final String extraRepr() {
        return numFeatures + ", eps=" + Layers.number(eps) + ", momentum=" + (momentum == null ? "None" : Layers.number(momentum)) + ", affine="
                + Layers.bool(hasWeight()) + ", track_running_stats=" + Layers.bool(trackRunningStats);
    }
}
