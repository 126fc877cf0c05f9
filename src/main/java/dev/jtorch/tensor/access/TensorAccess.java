package dev.jtorch.tensor.access;

import dev.jtorch.internal.NativeTensor;
import dev.jtorch.tensor.Tensor;
import dev.jtorch.tensor.TensorOwner;

/**
 * Lets jtorch's own packages reach a tensor's native handle without making it public API (the
 * "shared secrets" pattern: {@link Tensor} installs the implementation in its static initializer).
 *
 * <p>Plumbing, not API: the package is not exported by the {@code dev.jtorch} module. It sits
 * above both {@code tensor} and {@code internal}, so that {@code internal} never imports the
 * public tensor types. Handle access here is for native fast paths (an op that {@code internal}
 * runs on the handles); <em>ownership</em> of long-lived tensors goes through the public
 * {@link TensorOwner}. User code wanting the presets' objects uses {@link dev.jtorch.unsafe.Unsafe}.
 */
public final class TensorAccess {
    /** What {@link Tensor} exposes to jtorch's other packages. */
    public interface Impl {
        /** The live native handle; throws {@link IllegalStateException} if the tensor is closed. */
        NativeTensor handle(Tensor t);

        /** Wraps a new handle into a tensor owned by the current scope (closing it and throwing if none). */
        Tensor scoped(NativeTensor h, String op);

        /**
         * Wraps a new handle into a tensor that {@code owner} frees; the tensor's own
         * {@code close()} throws, naming {@code description} (e.g. {@code "Linear.weight"}).
         * Closes {@code h} and throws if the owner is closed.
         */
        Tensor owned(NativeTensor h, TensorOwner owner, String description);
    }

    private static volatile Impl impl;

    private TensorAccess() {}

    /**
     * Called once, by {@link Tensor}'s static initializer.
     *
     * @throws IllegalStateException on a second call
     */
    public static synchronized void install(Impl access) {
        if (impl != null) {
            throw new IllegalStateException("TensorAccess is already installed");
        }
        impl = access;
    }

    private static Impl impl() {
        Impl a = impl;
        if (a == null) {
            try {
                Class.forName(Tensor.class.getName(), true, TensorAccess.class.getClassLoader());
            } catch (ClassNotFoundException e) {
                throw new AssertionError(e);
            }
            a = impl;
        }
        return a;
    }

    /** The live native handle of {@code t}, borrowed; throws {@link IllegalStateException} if {@code t} is closed. */
    public static NativeTensor handle(Tensor t) {
        return impl().handle(t);
    }

    /** Wraps {@code h} into a tensor owned by the current scope (closing {@code h} and throwing if none is open). */
    public static Tensor scoped(NativeTensor h, String op) {
        return impl().scoped(h, op);
    }

    /** See {@link Impl#owned}. */
    public static Tensor owned(NativeTensor h, TensorOwner owner, String description) {
        return impl().owned(h, owner, description);
    }
}
