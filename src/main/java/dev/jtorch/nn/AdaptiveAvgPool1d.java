package dev.jtorch.nn;

import dev.jtorch.nn.functional.F;
import dev.jtorch.tensor.Tensor;

/**
 * 1-D adaptive average pooling to a fixed output size, as PyTorch's {@code nn.AdaptiveAvgPool1d}: input
 * {@code [N, C, L]} or {@code [C, L]}, windows chosen to cover the input whatever its size. No parameters or buffers.
 */
public final class AdaptiveAvgPool1d extends Module {
    private final long[] outputSize;

    /**
     * An output of that length.
     *
     * @throws IllegalArgumentException if the size is not positive
     */
    public AdaptiveAvgPool1d(long outputSize) {
        this(PoolNd.times(outputSize, 1));
    }

    private AdaptiveAvgPool1d(long[] outputSize) {
        this.outputSize = PoolNd.checked("AdaptiveAvgPool1d", "output size", outputSize, 1, 1);
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
        return Layers.run(this, () -> F.adaptiveAvgPool1d(input, outputSize[0]));
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
