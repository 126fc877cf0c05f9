package dev.jtorch.internal;

import java.time.Duration;

/**
 * The range checks of the serving builders' setters ({@code Predictor.Builder},
 * {@code JtorchServer.Options}), in one wording: {@code "<name> must be at least 1, got <value>"}.
 * Each returns the value it checked, so that a setter reads {@code this.x = Args.positive(x, "x")}.
 */
public final class Args {
    private Args() {}

    /**
     * {@code n}, checked to be at least 1 (a count: threads, workers, queue slots).
     *
     * @throws IllegalArgumentException naming {@code name} and the value if {@code n < 1}
     */
    public static int atLeastOne(int n, String name) {
        if (n < 1) {
            throw new IllegalArgumentException(name + " must be at least 1, got " + n);
        }
        return n;
    }

    /**
     * {@code n}, checked to be positive (a size limit: bytes, images, pixels).
     *
     * @throws IllegalArgumentException naming {@code name} and the value if {@code n < 1}
     */
    public static long positive(long n, String name) {
        if (n < 1) {
            throw new IllegalArgumentException(name + " must be positive, got " + n);
        }
        return n;
    }

    /**
     * {@code n}, checked as {@link #positive(long, String)}.
     *
     * @throws IllegalArgumentException naming {@code name} and the value if {@code n < 1}
     */
    public static int positive(int n, String name) {
        return (int) positive((long) n, name);
    }

    /**
     * {@code d}, checked to be longer than zero (a timeout, a deadline).
     *
     * @throws IllegalArgumentException naming {@code name} if {@code d} is null, zero or negative
     */
    public static Duration positive(Duration d, String name) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, got " + d);
        }
        return d;
    }

    /**
     * {@code d}, checked to be zero or longer (a wait that may be skipped).
     *
     * @throws IllegalArgumentException naming {@code name} if {@code d} is null or negative
     */
    public static Duration notNegative(Duration d, String name) {
        if (d == null || d.isNegative()) {
            throw new IllegalArgumentException(name + " must be zero or positive, got " + d);
        }
        return d;
    }
}
