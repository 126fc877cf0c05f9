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
import java.util.Objects;

/**
 * What {@link BatchNorm1d}, {@link BatchNorm2d} and {@link BatchNorm3d} share: a libtorch {@code BatchNorm{1,2,3}d}
 * whose parameters and running statistics this Java module adopts under PyTorch's names.
 */
abstract class BatchNormBase extends AffineLayer {
    /** The input ranks libtorch's {@code BatchNorm{dims}d} takes: 2 or 3 for one, 4 for two, 5 for three. */
    private final int[] ranks;
    private final BatchNormOptions options;
    private final Tensor runningMean;
    private final Tensor runningVar;
    private final Tensor numBatchesTracked;

    BatchNormBase(int dims, BatchNormOptions options) {
        this.options = Objects.requireNonNull(options, "options");
        this.ranks = dims == 1 ? new int[] {2, 3} : new int[] {dims + 2};
        boolean track = options.trackRunningStats();
        NativeModule nativeModule = NativeModule.batchNorm(dims, options.numFeatures(), options.eps(), options.momentum(),
                options.affine(), track);
        adoptWeightAndBias(nativeModule, options.affine(), options.affine());
        Map<String, NativeTensor> b = nativeModule.buffers();
        this.runningMean = track ? adoptBuffer("running_mean", b.get("running_mean")) : null;
        this.runningVar = track ? adoptBuffer("running_var", b.get("running_var")) : null;
        this.numBatchesTracked = track ? adoptBuffer("num_batches_tracked", b.get("num_batches_tracked")) : null;
    }

    /**
     * Throws, naming the layer and the input shape, unless {@code input} has one of the layer's
     * ranks ({@code [N, C]}, {@code [N, C, L]}, {@code [N, C, H, W]} or {@code [N, C, D, H, W]}) with
     * {@code C == numFeatures}.
     */
    private void checkInput(Tensor input) {
        long numFeatures = options.numFeatures();
        List<String> expected = new ArrayList<>();
        for (int rank : ranks) {
            String layout = switch (rank) {
                case 2 -> "[N, C]";
                case 3 -> "[N, C, L]";
                case 4 -> "[N, C, H, W]";
                default -> "[N, C, D, H, W]";
            };
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

    /** The options this layer was built with. */
    public final BatchNormOptions options() {
        return options;
    }

    /** Number of features (channels) {@code C}. */
    public final long numFeatures() {
        return options.numFeatures();
    }

    /** The value added to the variance for stability. */
    public final double eps() {
        return options.eps();
    }

    /** The running-average factor, or null for a cumulative moving average. */
    public final Double momentum() {
        return options.momentum();
    }

    /** Whether the layer has a learnable scale and shift. */
    public final boolean affine() {
        return options.affine();
    }

    /** Whether the layer keeps running statistics. */
    public final boolean trackRunningStats() {
        return options.trackRunningStats();
    }

    @Override
    protected final String extraRepr() {
        Double momentum = options.momentum();
        return options.numFeatures() + ", eps=" + Layers.number(options.eps()) + ", momentum="
                + (momentum == null ? "None" : Layers.number(momentum)) + ", affine=" + Layers.bool(options.affine())
                + ", track_running_stats=" + Layers.bool(options.trackRunningStats());
    }
}
