package dev.jtorch.nn;

import dev.jtorch.nn.functional.F;

/**
 * 1-D adaptive max pooling to a fixed output size, as PyTorch's {@code nn.AdaptiveMaxPool1d}: input
 * {@code [N, C, L]} or {@code [C, L]}, windows chosen to cover the input whatever its size. No parameters or buffers.
 */
public final class AdaptiveMaxPool1d extends AdaptivePoolNd {
    /**
     * An output of that length.
     *
     * @throws IllegalArgumentException if the size is not positive
     */
    public AdaptiveMaxPool1d(long outputSize) {
        super("AdaptiveMaxPool1d", PoolNd.times(outputSize, 1), (x, size) -> F.adaptiveMaxPool1d(x, size[0]));
    }
}
