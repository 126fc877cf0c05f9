package dev.jtorch.unsafe;

import dev.jtorch.internal.Interop;
import dev.jtorch.tensor.Tensor;
import dev.jtorch.tensor.access.TensorAccess;

/**
 * The escape hatch to the JavaCPP presets, for power users who need an op jtorch does not wrap.
 *
 * <p><b>Unsupported and unchecked.</b> This is the one public class whose signatures show the
 * presets' types. Two rules decide who frees what:
 *
 * <ul>
 *   <li><b>Borrowed</b> ({@link #nativeTensor}): the returned presets object is jtorch's. It stays
 *       valid only while the jtorch tensor is open; never close or deallocate it, and do not keep
 *       it past the tensor's {@code close()} (or its scope's). Anything the presets return from
 *       ops on it is yours to free.
 *   <li><b>Adopted</b> ({@link #adopt}): jtorch takes <em>its own reference</em> to the native
 *       tensor (a copy-constructed {@code at::Tensor}, which bumps the reference count) and the
 *       current scope frees that reference. The object you passed stays yours: close it, or the
 *       tuple it came from, whenever you like. So
 *       {@code try (var max = x.max(1, false)) { v = Unsafe.adopt(max.get0()); }} is safe: the
 *       tuple's element is a view into the tuple's storage, but {@code v} does not depend on it.
 * </ul>
 */
public final class Unsafe {
    private Unsafe() {}

    /**
     * The native {@code at::Tensor} behind {@code t}, borrowed.
     *
     * @throws IllegalStateException if {@code t} is closed
     */
    public static org.bytedeco.pytorch.Tensor nativeTensor(Tensor t) {
        return Interop.borrow(TensorAccess.handle(t));
    }

    /**
     * A jtorch tensor, owned by the current scope, holding its own reference to {@code t}'s data;
     * {@code t} stays the caller's to close.
     *
     * @throws IllegalStateException if no scope is open (nothing is left behind)
     * @throws IllegalArgumentException if {@code t} is null, deallocated or undefined
     */
    public static Tensor adopt(org.bytedeco.pytorch.Tensor t) {
        return TensorAccess.scoped(Interop.adoptCopy(t), "Unsafe.adopt");
    }
}
