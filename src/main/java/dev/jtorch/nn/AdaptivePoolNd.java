package dev.jtorch.nn;

import dev.jtorch.tensor.Tensor;
import java.util.function.BiFunction;

/**
 * What the adaptive pooling layers added beside {@link AdaptiveAvgPool2d} share: an output size per
 * pooled dimension, checked once, a forward that is one functional call whose errors name the
 * layer, and PyTorch's repr.
 */
abstract class AdaptivePoolNd extends Module {
    private final long[] outputSize;
    private final BiFunction<Tensor, long[], Tensor> kernel;

    /** {@code kernel} pools its input to the given size. */
    AdaptivePoolNd(String layer, long[] outputSize, BiFunction<Tensor, long[], Tensor> kernel) {
        this.outputSize = PoolNd.checked(layer, "output size", outputSize, outputSize.length, 1);
        this.kernel = kernel;
    }

    /**
     * Applies the pooling; the result belongs to the current scope.
     *
     * @throws dev.jtorch.TorchException naming this layer and the input shape if the input has the wrong rank
     * @throws IllegalStateException if no scope is open or the layer is closed
     */
    @Override
    public final Tensor forward(Tensor input) {
        checkOpen();
        return Layers.run(this, () -> kernel.apply(input, outputSize));
    }

    /** The output size, a copy. */
    public final long[] outputSize() {
        return outputSize.clone();
    }

    @Override
    protected final String extraRepr() {
        return "output_size=" + PoolNd.sizes(outputSize);
    }
}
