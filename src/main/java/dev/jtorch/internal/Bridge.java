package dev.jtorch.internal;

import dev.jtorch.tensor.Tensor;

/**
 * Lets jtorch's own packages reach a tensor's native handle without making it public API.
 *
 * <p>{@link Tensor} installs the implementation in its static initializer (the "shared secrets"
 * pattern); user code has no reason to call this and {@link Unsafe} is the documented escape hatch.
 */
public final class Bridge {
    /** What {@link Tensor} exposes to jtorch's other packages. */
    public interface TensorAccess {
        /** The live native handle; throws {@link IllegalStateException} if the tensor is closed. */
        NativeTensor handle(Tensor t);

        /** Wraps a new handle into a tensor owned by the current scope (closing it and throwing if none). */
        Tensor scoped(NativeTensor h, String op);

        /** Wraps a handle into a tensor owned by a long-lived object (module, optimizer). */
        Tensor owned(NativeTensor h, String ownerDescription);

        /** Frees a tensor made by {@link #owned}. */
        void release(Tensor t);
    }

    private static volatile TensorAccess tensors;

    private Bridge() {}

    /** Called once by {@link Tensor}. */
    public static void install(TensorAccess access) {
        tensors = access;
    }

    /** The installed accessor (initializing {@link Tensor} if needed). */
    public static TensorAccess tensors() {
        TensorAccess a = tensors;
        if (a == null) {
            try {
                Class.forName(Tensor.class.getName(), true, Bridge.class.getClassLoader());
            } catch (ClassNotFoundException e) {
                throw new AssertionError(e);
            }
            a = tensors;
        }
        return a;
    }
}
