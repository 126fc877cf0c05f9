package dev.jtorch.nn;

import dev.jtorch.nn.functional.F;

/**
 * {@code x} where {@code |x| > lambd}, else 0, as PyTorch's {@code nn.Hardshrink}; any shape, no parameters.
 */
public final class Hardshrink extends ElementwiseActivation {
    private final double lambd;

    /** {@code nn.Hardshrink()}: lambd 0.5. */
    public Hardshrink() {
        this(0.5);
    }

    /**
     * The given threshold.
     *
     * @throws IllegalArgumentException if {@code lambd} is negative or not finite
     */
    public Hardshrink(double lambd) {
        super(x -> F.hardshrink(x, lambd), Layers.number(lambd));
        if (!(lambd >= 0) || Double.isInfinite(lambd)) {
            throw new IllegalArgumentException("Hardshrink: lambd must be a finite non-negative number, got " + lambd);
        }
        this.lambd = lambd;
    }

    /** The threshold. */
    public double lambd() {
        return lambd;
    }
}
