package dev.jtorch.nn;

import java.util.Objects;

/**
 * What Conv2d, Conv3d and the transposed convolutions share: the options record they are built from, which also gives
 * PyTorch's repr of their arguments.
 *
 * @param <O> the options record
 */
abstract class ConvBase<O> extends AffineLayer {
    private final O options;

    /** Keeps {@code options}; throws {@link NullPointerException} naming {@code options} if null. */
    ConvBase(O options) {
        this.options = Objects.requireNonNull(options, "options");
    }

    /** The configuration. */
    public final O options() {
        return options;
    }

    @Override
    protected final String extraRepr() {
        return options.toString();
    }
}
