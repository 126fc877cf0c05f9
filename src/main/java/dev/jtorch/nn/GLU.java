package dev.jtorch.nn;

import dev.jtorch.nn.functional.F;

/**
 * The gated linear unit {@code a * sigmoid(b)}, where {@code a} and {@code b} are the two halves of
 * the input along {@code dim}, as PyTorch's {@code nn.GLU}. That dimension must have an even size and
 * halves in the output; no parameters.
 */
public final class GLU extends ElementwiseActivation {
    private final long dim;

    /** {@code nn.GLU()}: the last dimension. */
    public GLU() {
        this(-1);
    }

    /** Gates along {@code dim} (negative counts from the end). */
    public GLU(long dim) {
        super(x -> F.glu(x, dim), "dim=" + dim);
        this.dim = dim;
    }

    /** The dimension split in two. */
    public long dim() {
        return dim;
    }
}
