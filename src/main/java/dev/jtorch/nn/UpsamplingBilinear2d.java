package dev.jtorch.nn;

import dev.jtorch.nn.functional.F.InterpolationMode;

/**
 * 2-D bilinear (with {@code align_corners=True}, as PyTorch fixes it for this layer) upsampling of {@code [N, C, H, W]}, as PyTorch's {@code nn.UpsamplingBilinear2d}: an
 * {@link Upsample} whose mode is fixed. No parameters.
 */
public final class UpsamplingBilinear2d extends Upsample {
    /**
     * {@code nn.UpsamplingBilinear2d(scale_factor=s)}.
     *
     * @throws IllegalArgumentException if the factor is not positive and finite
     */
    public UpsamplingBilinear2d(double scaleFactor) {
        super(null, new double[] {scaleFactor}, InterpolationMode.BILINEAR, true);
    }

    /**
     * {@code nn.UpsamplingBilinear2d(size=(h, w))}.
     *
     * @throws IllegalArgumentException if a size is not positive
     */
    public UpsamplingBilinear2d(long height, long width) {
        super(new long[] {height, width}, null, InterpolationMode.BILINEAR, true);
    }
}
