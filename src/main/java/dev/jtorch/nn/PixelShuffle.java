package dev.jtorch.nn;

import dev.jtorch.nn.functional.F;

/**
 * Rearranges {@code [*, C * r^2, H, W]} into {@code [*, C, H * r, W * r]} ({@code r} the upscale
 * factor), as PyTorch's {@code nn.PixelShuffle}. No parameters.
 */
public final class PixelShuffle extends ElementwiseActivation {
    private final long upscaleFactor;

    /**
     * {@code nn.PixelShuffle(upscale_factor)}.
     *
     * @throws IllegalArgumentException if {@code upscaleFactor} is not positive
     */
    public PixelShuffle(long upscaleFactor) {
        super(x -> F.pixelShuffle(x, upscaleFactor), "upscale_factor=" + upscaleFactor);
        if (upscaleFactor < 1) {
            throw new IllegalArgumentException("PixelShuffle: upscaleFactor must be positive, got " + upscaleFactor);
        }
        this.upscaleFactor = upscaleFactor;
    }

    /** The factor. */
    public long upscaleFactor() {
        return upscaleFactor;
    }
}
