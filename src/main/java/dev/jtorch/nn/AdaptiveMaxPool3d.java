package dev.jtorch.nn;

import dev.jtorch.nn.functional.F;

/**
 * 3-D adaptive max pooling to a fixed output size, as PyTorch's {@code nn.AdaptiveMaxPool3d}: input
 * {@code [N, C, D, H, W]} or {@code [C, D, H, W]}, windows chosen to cover the input whatever its size. No parameters or buffers.
 */
public final class AdaptiveMaxPool3d extends AdaptivePoolNd {
    /**
     * A cubic output of that size.
     *
     * @throws IllegalArgumentException if the size is not positive
     */
    public AdaptiveMaxPool3d(long outputSize) {
        super("AdaptiveMaxPool3d", PoolNd.times(outputSize, 3), F::adaptiveMaxPool3d);
    }

    /**
     * A depth x height x width output.
     *
     * @throws IllegalArgumentException if a size is not positive
     */
    public AdaptiveMaxPool3d(long depth, long height, long width) {
        super("AdaptiveMaxPool3d", new long[] {depth, height, width}, F::adaptiveMaxPool3d);
    }
}
