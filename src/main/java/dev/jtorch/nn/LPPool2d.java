package dev.jtorch.nn;

import dev.jtorch.nn.functional.F;
import dev.jtorch.tensor.Tensor;

/**
 * 2-D power-average pooling, as PyTorch's {@code nn.LPPool2d}: {@code (sum of x^p over the window)^(1/p)}
 * of {@code [N, C, H, W]} or {@code [C, H, W]}. Computed as PyTorch does, from an average pool of
 * {@code x^p}. No parameters.
 */
public final class LPPool2d extends Module {
    private final double normType;
    private final Size2d kernelSize;
    private final Size2d stride;
    private final boolean ceilMode;

    /** {@code nn.LPPool2d(norm_type, k)}: square windows, stride = the window, floor. */
    public LPPool2d(double normType, long kernelSize) {
        this(normType, Size2d.square(kernelSize), null, false);
    }

    /**
     * {@code nn.LPPool2d(norm_type, kernel_size, stride, ceil_mode)}; a null stride means the window.
     *
     * @throws IllegalArgumentException if the norm is not positive and finite or a size is not positive
     */
    public LPPool2d(double normType, Size2d kernelSize, Size2d stride, boolean ceilMode) {
        this.normType = checkNorm(normType, "LPPool2d");
        this.kernelSize = Layers.size2d(kernelSize, "LPPool2d", "kernel_size", 1);
        this.stride = stride == null ? null : Layers.size2d(stride, "LPPool2d", "stride", 1);
        this.ceilMode = ceilMode;
    }

    static double checkNorm(double p, String layer) {
        if (!(p > 0) || Double.isInfinite(p)) {
            throw new IllegalArgumentException(layer + ": norm_type must be positive and finite, got " + p);
        }
        return p;
    }

    /** PyTorch's finish: {@code (sign(avg) * relu(|avg|) * window)^(1/p)}. */
    static Tensor root(Tensor avg, long window, double p) {
        return avg.sign().mul(F.relu(avg.abs())).mul(window).pow(1.0 / p);
    }

    /** The norm as given: {@code 2} for an integral value, else {@code 1.5}. */
    static String norm(double p) {
        return p == Math.rint(p) && Math.abs(p) < 1e15 ? Long.toString((long) p) : Layers.number(p);
    }

    /**
     * Applies the pooling.
     *
     * @return a tensor owned by the current scope
     * @throws dev.jtorch.TorchException naming this layer if the input is not 3-D/4-D or smaller than the window
     * @throws IllegalStateException if no scope is open or the layer is closed
     */
    @Override
    public Tensor forward(Tensor input) {
        checkOpen();
        long[] k = kernelSize.toArray();
        long[] s = (stride == null ? kernelSize : stride).toArray();
        return Layers.run(this, () -> root(F.avgPool2d(input.pow(normType), k, s, new long[] {0, 0}, ceilMode, true),
                k[0] * k[1], normType));
    }

    @Override
    protected String extraRepr() {
        return "norm_type=" + norm(normType) + ", kernel_size=" + Layers.size(kernelSize.toArray()) + ", stride="
                + (stride == null ? "None" : Layers.size(stride.toArray())) + ", ceil_mode=" + Layers.bool(ceilMode);
    }
}
