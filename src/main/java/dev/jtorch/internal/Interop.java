package dev.jtorch.internal;

import org.bytedeco.pytorch.Tensor;

/**
 * The presets' side of {@code dev.jtorch.unsafe.Unsafe}: the only way out of (and back into) a
 * {@link NativeTensor} for objects jtorch did not make.
 */
public final class Interop {
    private Interop() {}

    /** The presets' tensor inside {@code h}, borrowed: valid while {@code h} is open, never to be closed. */
    public static Tensor borrow(NativeTensor h) {
        return h.ptr();
    }

    /**
     * A new handle holding <em>its own reference</em> to {@code t}'s tensor: the copy constructor
     * bumps the {@code TensorImpl}'s reference count, so closing {@code t} (or the tuple or list it
     * came from) afterwards frees nothing the handle uses.
     *
     * @throws IllegalArgumentException if {@code t} is null, deallocated or undefined
     */
    public static NativeTensor adoptCopy(Tensor t) {
        if (t == null || t.isNull()) {
            throw new IllegalArgumentException("cannot adopt a null or deallocated native tensor");
        }
        Tensor own;
        try {
            if (!t.defined()) {
                throw new IllegalArgumentException("cannot adopt an undefined native tensor");
            }
            own = new Tensor(t);
        } catch (RuntimeException e) {
            if (e instanceof IllegalArgumentException) {
                throw e;
            }
            throw Errors.translate(e, "Unsafe.adopt");
        }
        return NativeTensor.own(own);
    }
}
