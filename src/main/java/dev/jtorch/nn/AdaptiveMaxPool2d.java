package dev.jtorch.nn;

import dev.jtorch.nn.functional.F;
import dev.jtorch.tensor.Tensor;

/**
 * 2-D adaptive max pooling to a fixed output size, as PyTorch's {@code nn.AdaptiveMaxPool2d}: input
 * {@code [N, C, H, W]} or {@code [C, H, W]}, windows chosen to cover the input whatever its size. No parameters or buffers.
 */
public final class AdaptiveMaxPool2d extends Module {
    private final long[] outputSize;

    /**
     * A square output of that size.
     *
     * @throws IllegalArgumentException if the size is not positive
     */
    public AdaptiveMaxPool2d(long outputSize) {
        this(PoolNd.times(outputSize, 2));
    }

    /**
     * A height x width output.
     *
     * @throws IllegalArgumentException if a size is not positive
     */
    public AdaptiveMaxPool2d(long height, long width) {
        this(new long[] {height, width});
    }

    private AdaptiveMaxPool2d(long[] outputSize) {
        this.outputSize = PoolNd.checked("AdaptiveMaxPool2d", "output size", outputSize, 2, 1);
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
        return Layers.run(this, () -> F.adaptiveMaxPool2d(input, outputSize));
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
