package dev.jtorch.nn;

import dev.jtorch.nn.functional.F;

/**
 * 1-D adaptive average pooling to a fixed output size, as PyTorch's {@code nn.AdaptiveAvgPool1d}: input
 * {@code [N, C, L]} or {@code [C, L]}, windows chosen to cover the input whatever its size. No parameters or buffers.
 */
public final class AdaptiveAvgPool1d extends AdaptivePoolNd {
    /**
     * An output of that length.
     *
     * @throws IllegalArgumentException if the size is not positive
     */
    public AdaptiveAvgPool1d(long outputSize) {
        super("AdaptiveAvgPool1d", PoolNd.times(outputSize, 1), (x, size) -> F.adaptiveAvgPool1d(x, size[0]));
    }
}
