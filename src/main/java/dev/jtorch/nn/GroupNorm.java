package dev.jtorch.nn;

import dev.jtorch.TorchException;
import dev.jtorch.nn.functional.F;
import dev.jtorch.tensor.Tensor;

/**
 * Group normalisation, as PyTorch's {@code nn.GroupNorm}: the channels are split into
 * {@code numGroups} groups and each sample's group is normalised to zero mean and unit (biased)
 * variance, then scaled and shifted per channel. Behaves the same in training and eval mode.
 *
 * <p>Shapes: input {@code [N, C, *]} with {@code C = numChannels}, output the same. Parameters
 * (with {@code affine}) {@code weight [C]} initialised to ones and {@code bias [C]} to zeros, owned
 * by the layer until {@link #close()}.
 */
public final class GroupNorm extends AffineLayer {
    private final long numGroups;
    private final long numChannels;
    private final double eps;

    /** {@code nn.GroupNorm(numGroups, numChannels)}: eps 1e-5, affine. */
    public GroupNorm(long numGroups, long numChannels) {
        this(numGroups, numChannels, 1e-5, true);
    }

    /**
     * {@code nn.GroupNorm(numGroups, numChannels, eps, affine)}.
     *
     * @throws IllegalArgumentException if a count is not positive, {@code numChannels} is not
     *     divisible by {@code numGroups}, or eps is negative or not finite
     */
    public GroupNorm(long numGroups, long numChannels, double eps, boolean affine) {
        LayerInit.positive(numGroups, "GroupNorm", "num_groups");
        LayerInit.positive(numChannels, "GroupNorm", "num_channels");
        if (numChannels % numGroups != 0) {
            throw new IllegalArgumentException("GroupNorm num_channels (" + numChannels
                    + ") must be divisible by num_groups (" + numGroups + ")");
        }
        LayerInit.nonNegativeFinite(eps, "GroupNorm", "eps");
        this.numGroups = numGroups;
        this.numChannels = numChannels;
        this.eps = eps;
        registerWeightAndBias(affine, () -> Tensor.ones(numChannels), affine,
                () -> Tensor.zeros(numChannels));
    }

    /**
     * Normalises each group of each sample.
     *
     * @return a tensor of the input's shape, owned by the current scope
     * @throws TorchException naming this layer and the input shape if it is not {@code [N, C, *]}
     *     with {@code C = numChannels}
     * @throws IllegalStateException if no scope is open or the layer is closed
     */
    @Override
    public Tensor forward(Tensor input) {
        checkOpen();
        if (input.dim() < 2 || input.size(1) != numChannels) {
            throw new TorchException(this + ": expected input [N, " + numChannels + ", *], got input of shape "
                    + input.shape());
        }
        return Layers.run(this, () -> F.groupNorm(input, numGroups, weight(), bias(), eps));
    }

    /** The number of groups. */
    public long numGroups() {
        return numGroups;
    }

    /** The number of channels {@code C}. */
    public long numChannels() {
        return numChannels;
    }

    /** The value added to the variance. */
    public double eps() {
        return eps;
    }

    /** Whether the layer has a per-channel scale and shift. */
    public boolean affine() {
        return hasWeight();
    }

    @Override
    protected String extraRepr() {
        return numGroups + ", " + numChannels + ", eps=" + Layers.number(eps) + ", affine=" + Layers.bool(hasWeight());
    }
}
