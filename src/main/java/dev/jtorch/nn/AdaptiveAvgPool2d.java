package dev.jtorch.nn;

import dev.jtorch.TorchException;
import dev.jtorch.nn.functional.F;
import dev.jtorch.tensor.Tensor;

/**
 * 2-D adaptive average pooling to a fixed output size, as PyTorch's {@code nn.AdaptiveAvgPool2d}.
 *
 * <p>Shapes: input {@code [N, C, H, W]} or {@code [C, H, W]}, output {@code [N, C, height, width]}
 * whatever {@code H} and {@code W} are (windows are chosen to cover the input). No parameters or
 * buffers.
 */
public final class AdaptiveAvgPool2d extends Module {
    private final long height;
    private final long width;

    /**
     * A square {@code outputSize x outputSize} output.
     *
     * @throws IllegalArgumentException if the size is not positive
     */
    public AdaptiveAvgPool2d(long outputSize) {
        this(outputSize, outputSize);
    }

    /**
     * A {@code height x width} output.
     *
     * @throws IllegalArgumentException if a size is not positive
     */
    public AdaptiveAvgPool2d(long height, long width) {
        if (height <= 0 || width <= 0) {
            throw new IllegalArgumentException("AdaptiveAvgPool2d output size must be positive, got (" + height + ", "
                    + width + ")");
        }
        this.height = height;
        this.width = width;
    }

    /**
     * Applies the pooling.
     *
     * @return {@code [N, C, height, width]}, owned by the current scope
     * @throws TorchException naming this layer and the input shape if the input is not 3-D/4-D or empty
     * @throws IllegalStateException if no scope is open or the layer is closed
     */
    @Override
    public Tensor forward(Tensor input) {
        checkOpen();
        Layers.requireImage(this, input);
        return Layers.run(this, () -> F.adaptiveAvgPool2d(input, height, width));
    }

    /** (height, width) of the output. */
    public long[] outputSize() {
        return new long[] {height, width};
    }

    @Override
    protected String extraRepr() {
        return "output_size=" + Layers.size(new long[] {height, width});
    }
}
