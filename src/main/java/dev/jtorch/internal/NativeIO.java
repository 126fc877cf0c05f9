package dev.jtorch.internal;

import java.util.List;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;
import org.bytedeco.pytorch.ByteVector;
import org.bytedeco.pytorch.CompilationUnit;
import org.bytedeco.pytorch.Function;
import org.bytedeco.pytorch.FunctionVector;
import org.bytedeco.pytorch.IValue;
import org.bytedeco.pytorch.IValueVector;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * libtorch's pickle serialization of a dict of name to tensor ({@code torch::pickle_save}), the
 * format Python's {@code torch.load} reads. Reading goes through jtorch's own pickle machine
 * ({@code io.PyTorchPickle}), never libtorch's unpickler, which trusts every view's geometry.
 *
 * <p>The presets map {@code c10::Dict<IValue, IValue>} without a constructor or an insert, so the
 * dict is built by two tiny TorchScript functions compiled once per JVM ({@link #helpers()}); they
 * produce a typed {@code Dict[str, Tensor]}, which the pickler writes as a plain dict (wrapped in
 * {@code torch.jit._pickle.restore_type_tag}, which Python's unpickler resolves to the dict itself).
 *
 * <p>Every native temporary is freed before returning; the tensors handed back are new handles the
 * caller owns.
 */
public final class NativeIO {
    static {
        NativeRuntime.ensureLoaded();
    }

    // The dicts are built from the arguments: a literal {} without inputs is folded into one
    // constant dict shared by every call, which would collect all tensors ever saved.
    private static final String HELPER_SOURCE = String.join("\n",
            "def jtorch_empty_tensor_dict(k: str) -> Dict[str, Tensor]:",
            "    d = {k: torch.zeros(0)}",
            "    d.clear()",
            "    return d",
            "",
            "def jtorch_put_tensor(d: Dict[str, Tensor], k: str, v: Tensor) -> Dict[str, Tensor]:",
            "    d[k] = v",
            "    return d",
            "");

    /** The compiled helpers; never freed (one per JVM, like the cached tensor options). */
    private static volatile Function[] helpers;
    @SuppressWarnings("unused") // keeps the compilation unit, which owns the functions, reachable
    private static CompilationUnit unit;

    private NativeIO() {}

    private static Function[] helpers() {
        Function[] h = helpers;
        if (h == null) {
            synchronized (NativeIO.class) {
                h = helpers;
                if (h == null) {
                    CompilationUnit cu = torch.compile(HELPER_SOURCE);
                    Function empty = null;
                    Function put = null;
                    try (FunctionVector fs = cu.get_functions()) {
                        for (long i = 0; i < fs.size(); i++) {
                            Function f = fs.get(i);
                            String name;
                            try (BytePointer n = f.name()) {
                                name = n.getString();
                            }
                            if (name.equals("jtorch_empty_tensor_dict")) {
                                empty = f;
                            } else if (name.equals("jtorch_put_tensor")) {
                                put = f;
                            }
                        }
                    }
                    if (empty == null || put == null) {
                        throw new IllegalStateException("internal: TorchScript dict helpers did not compile");
                    }
                    unit = cu;
                    h = new Function[] {empty, put};
                    helpers = h;
                }
            }
        }
        return h;
    }

    // ---------------------------------------------------------------- std::vector<char> access

    /**
     * The first element of a {@code std::vector<char>}, or null when the layout is not the
     * expected libstdc++ one ({@code begin, end, capacity} pointers, checked against
     * {@code size()}). The presets map the vector without {@code data()}, and copying element by
     * element costs a JNI call per byte.
     */
    private static BytePointer data(ByteVector v) {
        PointerPointer<?> words = new PointerPointer<>(v); // a cast: owns nothing
        Pointer begin = words.get(0);
        Pointer end = words.get(1);
        if (begin == null || end == null || begin.address() == 0 || end.address() - begin.address() != v.size()) {
            return null;
        }
        return new BytePointer(begin).capacity(v.size());
    }

    private static byte[] toBytes(ByteVector v) {
        long n = v.size();
        if (n > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("serialized state dict is larger than 2 GiB (" + n + " bytes)");
        }
        BytePointer p = data(v);
        if (p == null) {
            return v.get(); // slow path: one call per byte
        }
        byte[] out = new byte[(int) n];
        p.get(out, 0, out.length);
        return out;
    }

    private static ByteVector fromBytes(byte[] bytes) {
        ByteVector v = new ByteVector(bytes.length);
        if (bytes.length == 0) {
            return v;
        }
        BytePointer p = data(v);
        if (p == null) {
            for (int i = 0; i < bytes.length; i++) {
                v.put(i, bytes[i]);
            }
        } else {
            p.put(bytes, 0, bytes.length);
        }
        return v;
    }

    // ---------------------------------------------------------------- save

    /**
     * A CPU, detached, contiguous tensor that owns exactly its elements (no larger storage behind a
     * view), so that the file holds what Python's {@code state_dict()} would save.
     */
    private static Tensor compact(NativeTensor h) {
        Tensor src = h.acquire(); // held until the copy exists: another thread may close h
        Tensor detached;
        torch.ScalarType type;
        try {
            detached = src.detach(); // shares the storage: a reference of its own
            type = src.scalar_type();
        } finally {
            h.release();
        }
        Tensor cpu = null;
        Tensor contiguous = null;
        try {
            cpu = detached.to(Natives.device(dev.jtorch.Device.CPU), type);
            contiguous = cpu.contiguous();
            long expected = contiguous.numel() * contiguous.element_size();
            if (contiguous.storage_offset() == 0 && contiguous.storage().nbytes() == expected) {
                Tensor out = contiguous;
                contiguous = null;
                return out;
            }
            return contiguous.clone();
        } finally {
            detached.close();
            if (cpu != null) {
                cpu.close();
            }
            if (contiguous != null) {
                contiguous.close();
            }
        }
    }

    /**
     * {@code torch::pickle_save} of a {@code Dict[str, Tensor]} holding {@code names[i] -> tensors[i]}
     * in order; tensors are written as CPU, contiguous, detached copies.
     */
    public static byte[] pickleSaveTensorDict(List<String> names, List<NativeTensor> tensors) {
        if (names.size() != tensors.size()) {
            throw new IllegalArgumentException("names and tensors differ in length");
        }
        Function[] h = helpers();
        try (IValue anyKey = new IValue("");
             IValueVector emptyArgs = new IValueVector(anyKey); IValue dict = h[0].apply(emptyArgs)) {
            for (int i = 0; i < names.size(); i++) {
                try (Tensor t = compact(tensors.get(i));
                     IValue key = new IValue(names.get(i));
                     IValue value = new IValue(t);
                     IValueVector args = new IValueVector(dict, key, value);
                     IValue unused = h[1].apply(args)) {
                    // the dict is shared by reference: the helper inserted into it
                }
            }
            try (ByteVector bytes = torch.pickle_save(dict)) {
                return toBytes(bytes);
            }
        } catch (RuntimeException e) {
            throw Errors.translate(e, "pickle_save");
        }
    }

    // ---------------------------------------------------------------- load

}
