package dev.jtorch.nn;

import dev.jtorch.nn.functional.F.InterpolationMode;

/**
 * 2-D nearest-neighbour upsampling of {@code [N, C, H, W]}, as PyTorch's {@code nn.UpsamplingNearest2d}: an
 * {@link Upsample} whose mode is fixed. No parameters.
 */
public final class UpsamplingNearest2d extends Upsample {
    /**
     * {@code nn.UpsamplingNearest2d(scale_factor=s)}.
     *
     * @throws IllegalArgumentException if the factor is not positive and finite
     */
    public UpsamplingNearest2d(double scaleFactor) {
        super(null, new double[] {scaleFactor}, InterpolationMode.NEAREST, null);
    }

    /**
     * {@code nn.UpsamplingNearest2d(size=(h, w))}.
     *
     * @throws IllegalArgumentException if a size is not positive
     */
    public UpsamplingNearest2d(long height, long width) {
        super(new long[] {height, width}, null, InterpolationMode.NEAREST, null);
    }
}
