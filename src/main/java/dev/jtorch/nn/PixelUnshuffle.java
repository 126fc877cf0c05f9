package dev.jtorch.nn;

import dev.jtorch.nn.functional.F;

/**
 * Rearranges {@code [*, C, H * r, W * r]} into {@code [*, C * r^2, H, W]} ({@code r} the downscale
 * factor), the inverse of {@link PixelShuffle}, as PyTorch's {@code nn.PixelUnshuffle}. No parameters.
 */
public final class PixelUnshuffle extends ElementwiseActivation {
    private final long downscaleFactor;

    /**
     * {@code nn.PixelUnshuffle(downscale_factor)}.
     *
     * @throws IllegalArgumentException if {@code downscaleFactor} is not positive
     */
    public PixelUnshuffle(long downscaleFactor) {
        super(x -> F.pixelUnshuffle(x, downscaleFactor), "downscale_factor=" + downscaleFactor);
        if (downscaleFactor < 1) {
            throw new IllegalArgumentException("PixelUnshuffle: downscaleFactor must be positive, got " + downscaleFactor);
        }
        this.downscaleFactor = downscaleFactor;
    }

    /** The factor. */
    public long downscaleFactor() {
        return downscaleFactor;
    }
}
