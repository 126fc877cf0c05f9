package dev.jtorch.nn;

import dev.jtorch.nn.functional.F;
import dev.jtorch.tensor.Tensor;

/**
 * 3-D adaptive max pooling to a fixed output size, as PyTorch's {@code nn.AdaptiveMaxPool3d}: input
 * {@code [N, C, D, H, W]} or {@code [C, D, H, W]}, windows chosen to cover the input whatever its size. No parameters or buffers.
 */
public final class AdaptiveMaxPool3d extends Module {
    private final long[] outputSize;

    /**
     * A cubic output of that size.
     *
     * @throws IllegalArgumentException if the size is not positive
     */
    public AdaptiveMaxPool3d(long outputSize) {
        this(PoolNd.times(outputSize, 3));
    }

    /**
     * A depth x height x width output.
     *
     * @throws IllegalArgumentException if a size is not positive
     */
    public AdaptiveMaxPool3d(long depth, long height, long width) {
        this(new long[] {depth, height, width});
    }

    private AdaptiveMaxPool3d(long[] outputSize) {
        this.outputSize = PoolNd.checked("AdaptiveMaxPool3d", "output size", outputSize, 3, 1);
    }

    /**
     * Applies the pooling; the result belongs to the current scope.
     *
     * @throws dev.jtorch.TorchException naming this layer and the input shape if the input has the wrong rank
     * @throws IllegalStateException if no scope is open or the layer is closed
     */
    @Override
    public Tensor forward(Tensor input) {
        checkOpen();
        return Layers.run(this, () -> F.adaptiveMaxPool3d(input, outputSize));
    }

    /** The output size, a copy. */
    public long[] outputSize() {
        return outputSize.clone();
    }

    @Override
    protected String extraRepr() {
        return "output_size=" + PoolNd.sizes(outputSize);
    }
}
