package dev.jtorch.nn;

import dev.jtorch.nn.functional.F;

/**
 * 3-D adaptive average pooling to a fixed output size, as PyTorch's {@code nn.AdaptiveAvgPool3d}: input
 * {@code [N, C, D, H, W]} or {@code [C, D, H, W]}, windows chosen to cover the input whatever its size. No parameters or buffers.
 */
public final class AdaptiveAvgPool3d extends AdaptivePoolNd {
    /**
     * A cubic output of that size.
     *
     * @throws IllegalArgumentException if the size is not positive
     */
    public AdaptiveAvgPool3d(long outputSize) {
        super("AdaptiveAvgPool3d", PoolNd.times(outputSize, 3), F::adaptiveAvgPool3d);
    }

    /**
     * A depth x height x width output.
     *
     * @throws IllegalArgumentException if a size is not positive
     */
    public AdaptiveAvgPool3d(long depth, long height, long width) {
        super("AdaptiveAvgPool3d", new long[] {depth, height, width}, F::adaptiveAvgPool3d);
    }
}
