package dev.jtorch.nn;

import dev.jtorch.nn.functional.F;

/**
 * 2-D adaptive max pooling to a fixed output size, as PyTorch's {@code nn.AdaptiveMaxPool2d}: input
 * {@code [N, C, H, W]} or {@code [C, H, W]}, windows chosen to cover the input whatever its size. No parameters or buffers.
 */
public final class AdaptiveMaxPool2d extends AdaptivePoolNd {
    /**
     * A square output of that size.
     *
     * @throws IllegalArgumentException if the size is not positive
     */
    public AdaptiveMaxPool2d(long outputSize) {
        super("AdaptiveMaxPool2d", PoolNd.times(outputSize, 2), F::adaptiveMaxPool2d);
    }

    /**
     * A height x width output.
     *
     * @throws IllegalArgumentException if a size is not positive
     */
    public AdaptiveMaxPool2d(long height, long width) {
        super("AdaptiveMaxPool2d", new long[] {height, width}, F::adaptiveMaxPool2d);
    }
}
