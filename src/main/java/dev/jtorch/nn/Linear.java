package dev.jtorch.nn;

import dev.jtorch.TorchException;
import dev.jtorch.internal.NativeModule;
import dev.jtorch.internal.NativeTensor;
import dev.jtorch.tensor.Tensor;
import dev.jtorch.tensor.access.TensorAccess;

/**
 * A fully connected layer, {@code y = x W^T + b}, as PyTorch's {@code nn.Linear}.
 *
 * <p>Shapes: input {@code [*, inFeatures]}, output {@code [*, outFeatures]}; parameters
 * {@code weight [outFeatures, inFeatures]} and {@code bias [outFeatures]}, initialised as PyTorch
 * does (U(-k, k), k = 1/sqrt(inFeatures), from the default generator) by libtorch's own
 * {@code torch::nn::Linear}.
 */
public final class Linear extends AffineLayer {
    private final long inFeatures;
    private final long outFeatures;

    /** A layer with a bias. */
    public Linear(long inFeatures, long outFeatures) {
        this(inFeatures, outFeatures, true);
    }

    /**
     * A layer with or without bias.
     *
     * @throws IllegalArgumentException if a size is not positive
     */
    public Linear(long inFeatures, long outFeatures, boolean bias) {
        if (inFeatures <= 0 || outFeatures <= 0) {
            throw new IllegalArgumentException("Linear sizes must be positive, got in=" + inFeatures + ", out=" + outFeatures);
        }
        this.inFeatures = inFeatures;
        this.outFeatures = outFeatures;
        adoptWeightAndBias(NativeModule.linear(inFeatures, outFeatures, bias), true, bias);
    }

    /**
     * Applies the layer.
     *
     * @throws TorchException naming the input shape and the expected features if the last
     *     dimension is not {@code inFeatures}
     */
    @Override
    public Tensor forward(Tensor input) {
        checkOpen();
        NativeTensor x = TensorAccess.handle(input);
        if (x.dim() == 0 || x.size(-1) != inFeatures) {
            throw new TorchException(this + ": input of shape " + input.shape() + " must end in " + inFeatures
                    + " features (weight shape " + weight().shape() + ")");
        }
        NativeTensor w = TensorAccess.handle(weight());
        Tensor b = bias();
        return TensorAccess.scoped(x.linear(w, b == null ? null : TensorAccess.handle(b)), "Linear.forward");
    }

    /** Input features. */
    public long inFeatures() {
        return inFeatures;
    }

    /** Output features. */
    public long outFeatures() {
        return outFeatures;
    }

    @Override
    protected String extraRepr() {
        return "in_features=" + inFeatures + ", out_features=" + outFeatures + ", bias=" + hasBias();
    }
}
