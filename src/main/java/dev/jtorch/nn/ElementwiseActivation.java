package dev.jtorch.nn;

import dev.jtorch.tensor.Tensor;
import java.util.function.UnaryOperator;

/**
 * What the parameter-free layers that are one functional call share: no parameters or buffers, and
 * a {@code forward} that is that call ({@code F::mish}, {@code x -> F.elu(x, alpha)}). The
 * activations take any shape to the same shape; {@link GLU} halves a dimension and the shuffles
 * ({@link PixelShuffle}, {@link PixelUnshuffle}, {@link ChannelShuffle}) rearrange one.
 */
abstract class ElementwiseActivation extends Module {
    private final UnaryOperator<Tensor> function;
    private final String repr;

    /** An activation with no hyper-parameters: {@code function} is its functional form. */
    ElementwiseActivation(UnaryOperator<Tensor> function) {
        this(function, "");
    }

    /** An activation whose hyper-parameters print as {@code repr} ({@code "alpha=1.0"}). */
    ElementwiseActivation(UnaryOperator<Tensor> function, String repr) {
        this.function = function;
        this.repr = repr;
    }

    /**
     * Applies the activation elementwise.
     *
     * @return a tensor of the input's shape, owned by the current scope
     * @throws IllegalStateException if no scope is open or the layer is closed
     */
    @Override
    public final Tensor forward(Tensor input) {
        checkOpen();
        return function.apply(input);
    }

    @Override
    protected final String extraRepr() {
        return repr;
    }
}
