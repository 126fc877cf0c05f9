package dev.jtorch.internal;

import dev.jtorch.tensor.Tensor;

/**
 * The escape hatch to the JavaCPP presets, for power users who need an op jtorch does not wrap.
 *
 * <p><b>Unsupported and unchecked.</b> The returned object is borrowed: it stays valid only while
 * the jtorch tensor is open, must not be closed or deallocated, and anything made from it is
 * outside jtorch's scopes (free it yourself).
 */
public final class Unsafe {
    private Unsafe() {}

    /** The native {@code at::Tensor} behind {@code t}, borrowed. */
    public static org.bytedeco.pytorch.Tensor nativeTensor(Tensor t) {
        return Bridge.tensors().handle(t).ptr();
    }

    /**
     * Adopts a native tensor made by the presets into the current scope, which then owns and frees
     * it.
     */
    public static Tensor adopt(org.bytedeco.pytorch.Tensor t) {
        return Bridge.tensors().scoped(NativeTensor.own(t), "Unsafe.adopt");
    }
}
