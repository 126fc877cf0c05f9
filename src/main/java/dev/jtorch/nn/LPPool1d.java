package dev.jtorch.nn;

import dev.jtorch.nn.functional.F;
import dev.jtorch.tensor.Tensor;

/**
 * 1-D power-average pooling, as PyTorch's {@code nn.LPPool1d}: {@code (sum of x^p over the window)^(1/p)}
 * of {@code [N, C, L]} or {@code [C, L]} ({@code p = 1}: sum pooling; {@code p = inf} would be max
 * pooling). Computed as PyTorch does, from an average pool of {@code x^p}. No parameters.
 */
public final class LPPool1d extends Module {
    private final double normType;
    private final long kernelSize;
    private final Long stride;
    private final boolean ceilMode;

    /** {@code nn.LPPool1d(norm_type, kernel_size)}: stride = the window, floor. */
    public LPPool1d(double normType, long kernelSize) {
        this(normType, kernelSize, null, false);
    }

    /**
     * {@code nn.LPPool1d(norm_type, kernel_size, stride, ceil_mode)}; a null stride means the window.
     *
     * @throws IllegalArgumentException if the norm is not positive and finite or a size is not positive
     */
    public LPPool1d(double normType, long kernelSize, Long stride, boolean ceilMode) {
        this.normType = LPPool2d.checkNorm(normType, "LPPool1d");
        this.kernelSize = LayerInit.positive(kernelSize, "LPPool1d", "kernel_size");
        this.stride = stride == null ? null : LayerInit.positive(stride, "LPPool1d", "stride");
        this.ceilMode = ceilMode;
    }

    /**
     * Applies the pooling.
     *
     * @return a tensor owned by the current scope
     * @throws dev.jtorch.TorchException naming this layer if the input is not 2-D/3-D or shorter than the window
     * @throws IllegalStateException if no scope is open or the layer is closed
     */
    @Override
    public Tensor forward(Tensor input) {
        checkOpen();
        long s = stride == null ? kernelSize : stride;
        return Layers.run(this, () -> LPPool2d.root(F.avgPool1d(input.pow(normType), kernelSize, s, 0, ceilMode),
                kernelSize, normType));
    }

    @Override
    protected String extraRepr() {
        return "norm_type=" + LPPool2d.norm(normType) + ", kernel_size=" + kernelSize + ", stride="
                + (stride == null ? "None" : stride.toString()) + ", ceil_mode=" + Layers.bool(ceilMode);
    }
}
