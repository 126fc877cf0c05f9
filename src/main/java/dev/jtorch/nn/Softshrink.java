package dev.jtorch.nn;

import dev.jtorch.nn.functional.F;

/**
 * {@code x - lambd} above {@code lambd}, {@code x + lambd} below {@code -lambd}, else 0, as PyTorch's {@code nn.Softshrink}; any shape, no parameters.
 */
public final class Softshrink extends ElementwiseActivation {
    private final double lambd;

    /** {@code nn.Softshrink()}: lambd 0.5. */
    public Softshrink() {
        this(0.5);
    }

    /**
     * The given threshold.
     *
     * @throws IllegalArgumentException if {@code lambd} is negative or not finite
     */
    public Softshrink(double lambd) {
        super(x -> F.softshrink(x, lambd), Layers.number(lambd));
        if (!(lambd >= 0) || Double.isInfinite(lambd)) {
            throw new IllegalArgumentException("Softshrink: lambd must be a finite non-negative number, got " + lambd);
        }
        this.lambd = lambd;
    }

    /** The threshold. */
    public double lambd() {
        return lambd;
    }
}
