package dev.jtorch.nn;

import dev.jtorch.DType;
import dev.jtorch.TorchException;
import dev.jtorch.nn.functional.F;
import dev.jtorch.tensor.Tensor;

/**
 * What {@link InstanceNorm1d}, {@link InstanceNorm2d} and {@link InstanceNorm3d} share (PyTorch's
 * {@code _InstanceNorm}): each sample's channel normalised over its own spatial positions, an
 * optional per-channel scale and shift, and optional running statistics used in eval mode.
 */
abstract class InstanceNormBase extends AffineLayer {
    private final int dims;
    private final long numFeatures;
    private final double eps;
    private final Double momentum;
    private final Tensor runningMean;
    private final Tensor runningVar;

    InstanceNormBase(String layer, int dims, long numFeatures, double eps, Double momentum, boolean affine,
                     boolean trackRunningStats) {
        LayerInit.positive(numFeatures, layer, "num_features");
        LayerInit.nonNegativeFinite(eps, layer, "eps");
        if (momentum != null) {
            LayerInit.nonNegativeFinite(momentum, layer, "momentum");
        }
        this.dims = dims;
        this.numFeatures = numFeatures;
        this.eps = eps;
        this.momentum = momentum;
        registerWeightAndBias(affine, () -> Tensor.ones(numFeatures), affine, () -> Tensor.zeros(numFeatures));
        if (trackRunningStats) {
            this.runningMean = registerBuffer("running_mean", () -> Tensor.zeros(numFeatures));
            this.runningVar = registerBuffer("running_var", () -> Tensor.ones(numFeatures));
            registerBuffer("num_batches_tracked", () -> Tensor.zeros(new long[0], DType.INT64, null));
        } else {
            this.runningMean = null;
            this.runningVar = null;
        }
    }

    /**
     * Normalises each channel of each sample over its spatial positions: with the sample's own
     * statistics in training mode or without running statistics (which training mode then updates),
     * with the running statistics in eval mode.
     *
     * @return a tensor of the input's shape, owned by the current scope
     * @throws TorchException naming this layer and the input shape if it has the wrong rank, or (with
     *     {@code affine}) not {@code numFeatures} channels
     * @throws IllegalStateException if no scope is open or the layer is closed
     */
    @Override
    public final Tensor forward(Tensor input) {
        checkOpen();
        int d = input.dim();
        if (d != dims + 1 && d != dims + 2) {
            throw new TorchException(this + ": expected a " + (dims + 1) + "-D (unbatched) or " + (dims + 2)
                    + "-D input, got input of shape " + input.shape());
        }
        long channels = input.size(d - dims - 1);
        if (hasWeight() && channels != numFeatures) {
            throw new TorchException(this + ": expected input's size at dim=" + (d - dims - 1) + " to match num_features ("
                    + numFeatures + "), got input of shape " + input.shape());
        }
        boolean useInputStats = isTraining() || runningMean == null;
        double m = momentum == null ? 0.0 : momentum;
        return Layers.run(this, () -> {
            Tensor x = d == dims + 1 ? input.unsqueeze(0) : input;
            Tensor y = F.instanceNorm(x, runningMean, runningVar, weight(), bias(), useInputStats, m, eps);
            return d == dims + 1 ? y.squeeze(0) : y;
        });
    }

    /** Number of channels {@code C}. */
    public final long numFeatures() {
        return numFeatures;
    }

    /** The value added to the variance. */
    public final double eps() {
        return eps;
    }

    /** The running-average factor, or null (no update of the running statistics). */
    public final Double momentum() {
        return momentum;
    }

    /** Whether the layer has a per-channel scale and shift. */
    public final boolean affine() {
        return hasWeight();
    }

    /** Whether the layer keeps running statistics. */
    public final boolean trackRunningStats() {
        return runningMean != null;
    }

    /** The running mean, {@code [C]}, a buffer owned by the layer; null if statistics are not tracked. */
    public final Tensor runningMean() {
        return whileOpen(runningMean);
    }

    /** The running variance, {@code [C]}; null if statistics are not tracked. */
    public final Tensor runningVar() {
        return whileOpen(runningVar);
    }

    @Override
    protected final String extraRepr() {
        return numFeatures + ", eps=" + Layers.number(eps) + ", momentum=" + (momentum == null ? "None" : Layers.number(momentum))
                + ", affine=" + Layers.bool(hasWeight()) + ", track_running_stats=" + Layers.bool(runningMean != null);
    }
}
