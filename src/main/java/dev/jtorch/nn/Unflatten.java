package dev.jtorch.nn;

import dev.jtorch.TorchException;
import dev.jtorch.tensor.Tensor;

/**
 * Expands one dimension into several, as PyTorch's {@code nn.Unflatten}: the inverse of
 * {@link Flatten} ({@code Unflatten(1, 1, 28, 28)} turns {@code [N, 784]} into {@code [N, 1, 28, 28]}).
 * One size may be -1 (inferred). The result is a view of the input when possible.
 */
public final class Unflatten extends Module {
    private final long dim;
    private final long[] sizes;

    /**
     * {@code nn.Unflatten(dim, unflattened_size)}.
     *
     * @throws IllegalArgumentException if {@code sizes} is empty, has more than one -1 or another
     *     non-positive size
     */
    public Unflatten(long dim, long... sizes) {
        if (sizes == null || sizes.length == 0) {
            throw new IllegalArgumentException("Unflatten unflattened_size must not be empty");
        }
        int inferred = 0;
        for (long s : sizes) {
            if (s == -1) {
                inferred++;
            } else if (s <= 0) {
                throw new IllegalArgumentException("Unflatten sizes must be positive or -1, got "
                        + java.util.Arrays.toString(sizes));
            }
        }
        if (inferred > 1) {
            throw new IllegalArgumentException("Unflatten sizes may contain one -1 only, got " + java.util.Arrays.toString(sizes));
        }
        this.dim = dim;
        this.sizes = sizes.clone();
    }

    /**
     * Splits dimension {@code dim} of {@code input} into {@code sizes}.
     *
     * @return a tensor owned by the current scope
     * @throws TorchException naming this layer and the input shape if {@code dim} is out of range
     *     or the sizes do not multiply to that dimension's size
     * @throws IllegalStateException if no scope is open or the layer is closed
     */
    @Override
    public Tensor forward(Tensor input) {
        checkOpen();
        int d = input.dim();
        if (dim < -Math.max(d, 1) || dim >= Math.max(d, 1)) {
            throw new TorchException(this + ": dim " + dim + " is out of range for input of shape " + input.shape());
        }
        return Layers.run(this, () -> input.unflatten(dim, sizes));
    }

    /** The dimension that is expanded. */
    public long dim() {
        return dim;
    }

    /** The sizes it is expanded into (a copy). */
    public long[] sizes() {
        return sizes.clone();
    }

    @Override
    protected String extraRepr() {
        return "dim=" + dim + ", unflattened_size=" + LayerInit.tuple(sizes);
    }
}
