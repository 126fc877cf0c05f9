package dev.jtorch.nn;

import dev.jtorch.nn.functional.F;
import dev.jtorch.nn.functional.F.InterpolationMode;
import dev.jtorch.tensor.Tensor;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;

/**
 * Resizes the spatial dimensions of {@code [N, C, ...]} inputs, as PyTorch's {@code nn.Upsample}
 * over {@link F#interpolate(Tensor, long[], double[], InterpolationMode, Boolean)}: to a fixed
 * {@code size} or by a {@code scaleFactor} (exactly one of them), with the nearest, nearest-exact,
 * (bi/tri)linear, bicubic or area mode. No parameters.
 *
 * <p>A single size or factor applies to every spatial dimension; otherwise give one per spatial
 * dimension. With a scale factor the output size is {@code floor(in * factor)} and the factor
 * itself is passed to the kernel, as PyTorch does without {@code recompute_scale_factor}.
 *
 * <pre>{@code
 * new Upsample(2.0);                                                  // nn.Upsample(scale_factor=2)
 * new Upsample(new long[] {64, 64}, InterpolationMode.BILINEAR);      // nn.Upsample(size=(64, 64), mode='bilinear')
 * }</pre>
 */
public sealed class Upsample extends Module permits UpsamplingNearest2d, UpsamplingBilinear2d {
    private final long[] size;
    private final double[] scaleFactor;
    private final InterpolationMode mode;
    private final Boolean alignCorners;

    /** {@code nn.Upsample(scale_factor=scaleFactor)}: nearest neighbour. */
    public Upsample(double scaleFactor) {
        this(null, new double[] {scaleFactor}, InterpolationMode.NEAREST, null);
    }

    /** {@code nn.Upsample(scale_factor=scaleFactor, mode=mode)}. */
    public Upsample(double scaleFactor, InterpolationMode mode) {
        this(null, new double[] {scaleFactor}, mode, null);
    }

    /** {@code nn.Upsample(size=size, mode=mode)}: one size for all spatial dimensions, or one each. */
    public Upsample(long[] size, InterpolationMode mode) {
        this(size, null, mode, null);
    }

    /**
     * {@code nn.Upsample(size, scale_factor, mode, align_corners)}.
     *
     * @param size output spatial size (one value or one per spatial dimension), or null
     * @param scaleFactor multiplier (one value or one per spatial dimension), or null
     * @param alignCorners for the interpolating modes only; null is PyTorch's None (False)
     * @throws IllegalArgumentException if both or neither of size and scaleFactor are given, a size
     *     or factor is not positive, or alignCorners is given for a non-interpolating mode
     */
    public Upsample(long[] size, double[] scaleFactor, InterpolationMode mode, Boolean alignCorners) {
        Objects.requireNonNull(mode, "mode");
        if ((size == null) == (scaleFactor == null)) {
            throw new IllegalArgumentException("Upsample: give either size or scale_factor, not "
                    + (size == null ? "neither" : "both"));
        }
        if (size != null && (size.length == 0 || Arrays.stream(size).anyMatch(v -> v <= 0))) {
            throw new IllegalArgumentException("Upsample size must be positive, got " + Arrays.toString(size));
        }
        if (scaleFactor != null && (scaleFactor.length == 0
                || Arrays.stream(scaleFactor).anyMatch(v -> !(v > 0) || Double.isInfinite(v)))) {
            throw new IllegalArgumentException("Upsample scale_factor must be positive and finite, got "
                    + Arrays.toString(scaleFactor));
        }
        boolean interpolating = mode == InterpolationMode.LINEAR || mode == InterpolationMode.BILINEAR
                || mode == InterpolationMode.BICUBIC || mode == InterpolationMode.TRILINEAR;
        if (alignCorners != null && !interpolating) {
            throw new IllegalArgumentException("Upsample: align_corners only applies to linear, bilinear, bicubic and"
                    + " trilinear modes, not " + pytorchName(mode));
        }
        this.size = size == null ? null : size.clone();
        this.scaleFactor = scaleFactor == null ? null : scaleFactor.clone();
        this.mode = mode;
        this.alignCorners = alignCorners;
    }

    /**
     * Resizes {@code input}.
     *
     * @return a tensor owned by the current scope
     * @throws IllegalArgumentException if the input is not 3-D to 5-D, does not fit the mode, or the
     *     number of sizes/factors does not match its spatial dimensions
     * @throws IllegalStateException if no scope is open or the layer is closed
     */
    @Override
    public final Tensor forward(Tensor input) {
        checkOpen();
        return Layers.run(this, () -> F.interpolate(input, size, scaleFactor, mode, alignCorners));
    }

    /** The output size (a copy), or null if a scale factor is used. */
    public final long[] size() {
        return size == null ? null : size.clone();
    }

    /** The scale factor (a copy), or null if a size is used. */
    public final double[] scaleFactor() {
        return scaleFactor == null ? null : scaleFactor.clone();
    }

    /** The interpolation mode. */
    public final InterpolationMode mode() {
        return mode;
    }

    /** Whether corner pixels are aligned (null: PyTorch's None). */
    public final Boolean alignCorners() {
        return alignCorners;
    }

    private static String pytorchName(InterpolationMode mode) {
        return mode.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    @Override
    protected final String extraRepr() {
        String info;
        if (scaleFactor != null) {
            if (scaleFactor.length == 1) {
                info = "scale_factor=" + Layers.number(scaleFactor[0]);
            } else {
                StringBuilder sb = new StringBuilder("scale_factor=(");
                for (int i = 0; i < scaleFactor.length; i++) {
                    sb.append(i == 0 ? "" : ", ").append(Layers.number(scaleFactor[i]));
                }
                info = sb.append(')').toString();
            }
        } else {
            info = "size=" + (size.length == 1 ? Long.toString(size[0]) : LayerInit.tuple(size));
        }
        return info + ", mode=" + pytorchName(mode);
    }
}
