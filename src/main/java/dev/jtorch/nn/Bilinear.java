package dev.jtorch.nn;

import dev.jtorch.nn.functional.F;
import dev.jtorch.tensor.Tensor;

/**
 * A bilinear map {@code y = x1^T W x2 + b}, as PyTorch's {@code nn.Bilinear}.
 *
 * <p>Shapes: {@code x1 [*, in1]}, {@code x2 [*, in2]} with the same leading dimensions, output
 * {@code [*, out]}. Parameters {@code weight [out, in1, in2]} and {@code bias [out]}, both
 * U(-1/sqrt(in1), 1/sqrt(in1)) from the default generator, as PyTorch initialises them. Call
 * {@link #forward(Tensor, Tensor) forward(x1, x2)}. The layer owns its parameters until {@link #close()}.
 */
public final class Bilinear extends AffineLayer {
    private final long in1Features;
    private final long in2Features;
    private final long outFeatures;

    /** {@code nn.Bilinear(in1, in2, out)}: with a bias. */
    public Bilinear(long in1Features, long in2Features, long outFeatures) {
        this(in1Features, in2Features, outFeatures, true);
    }

    /**
     * {@code nn.Bilinear(in1, in2, out, bias)}.
     *
     * @throws IllegalArgumentException if a size is not positive
     */
    public Bilinear(long in1Features, long in2Features, long outFeatures, boolean bias) {
        this.in1Features = LayerInit.positive(in1Features, "Bilinear", "in1_features");
        this.in2Features = LayerInit.positive(in2Features, "Bilinear", "in2_features");
        this.outFeatures = LayerInit.positive(outFeatures, "Bilinear", "out_features");
        double bound = 1 / Math.sqrt((double) in1Features);
        registerWeightAndBias(true, () -> Tensor.empty(outFeatures, in1Features, in2Features).uniform_(-bound, bound), bias,
                () -> Tensor.empty(outFeatures).uniform_(-bound, bound));
    }

    /**
     * {@code x1^T W x2 + b} for each leading index.
     *
     * @return {@code [*, out]}, owned by the current scope
     * @throws dev.jtorch.TorchException naming this layer and the shapes if they do not fit
     * @throws IllegalStateException if no scope is open or the layer is closed
     */
    public Tensor forward(Tensor x1, Tensor x2) {
        checkOpen();
        Tensor weight = weight();
        Tensor bias = bias();
        return Layers.run(this, () -> bias == null ? F.bilinear(x1, x2, weight) : F.bilinear(x1, x2, weight, bias));
    }

    /**
     * Always throws: this layer takes two tensors.
     *
     * @throws UnsupportedOperationException naming the overload to call
     */
    @Override
    public Tensor forward(Tensor input) {
        throw new UnsupportedOperationException("Bilinear takes two tensors: call forward(x1, x2)");
    }

    @Override
    protected String extraRepr() {
        return "in1_features=" + in1Features + ", in2_features=" + in2Features + ", out_features=" + outFeatures
                + ", bias=" + Layers.bool(bias() != null);
    }
}
