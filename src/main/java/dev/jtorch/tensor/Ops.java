package dev.jtorch.tensor;

import dev.jtorch.internal.NativeOps;
import dev.jtorch.internal.NativeTensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Any operator registered in libtorch, called by its schema name: jtorch's counterpart of
 * Python's {@code torch.ops.aten.X}, and the one wrapper behind every generated op.
 *
 * <p>{@code Ops.of("aten::cumsum").call(x, 1L)} runs {@code aten::cumsum(Tensor self, int dim, *,
 * ScalarType? dtype=None)}: arguments go in schema order, trailing ones may be left out to take the
 * schema's defaults, and {@link #DEFAULT} stands for a default in the middle. Java values map to
 * schema types as the generated methods document: {@code Tensor} (or null for {@code Tensor?}),
 * {@code long}/{@code int} for {@code int} and {@code SymInt}, {@code double} for {@code float},
 * {@code Long} or {@code Double} for {@code Scalar} (the boxed type decides between an integer and
 * a floating-point scalar), {@code long[]} for {@code int[]}, {@code List<Tensor>} for
 * {@code Tensor[]}, {@link dev.jtorch.DType} for {@code ScalarType}, {@link dev.jtorch.Device},
 * {@code String}, {@code boolean}.
 *
 * <p><b>Ownership.</b> Every tensor result belongs to the current thread's innermost
 * {@link TensorScope}; with none open the call throws {@link IllegalStateException} and frees
 * what it made.
 *
 * <p><b>Errors.</b> A native failure becomes a {@link dev.jtorch.TorchException} whose message
 * names the operator and its inputs' shapes and dtypes, with c10's first line; a Java value the
 * schema cannot take is an {@link IllegalArgumentException} naming the argument.
 */
public final class Ops {
    /** Stands for "the schema's default" in an argument position. */
    public static final Object DEFAULT = NativeOps.DEFAULT;

    private Ops() {}

    /** A handle on one operator overload; cheap to make, resolved on its first call, thread-safe. */
    public static final class Op {
        private final NativeOps.Op op;

        Op(String name, String overload) {
            this.op = NativeOps.op(name, overload);
        }

        /** {@code aten::add.Tensor}. */
        public String name() {
            return op.qualifiedName();
        }

        /** The schema in PyTorch's syntax (resolves the operator). */
        public String schema() {
            return op.schema();
        }

        /** The schema's argument names in order (resolves the operator). */
        public List<String> argumentNames() {
            return op.argumentNames();
        }

        /**
         * Calls the operator.
         *
         * @return a {@link Tensor} for one tensor result, a {@code List<Tensor>} for a tensor list
         *     or several results, a {@code Long}/{@code Double}/{@code Boolean} for a number, null
         *     for none
         */
        public Object call(Object... args) {
            Object[] r = NativeOps.call(op, unwrap(args));
            if (r.length == 0) {
                return null;
            }
            if (r.length == 1) {
                return wrap(r[0], op);
            }
            return wrapAll(r, op);
        }

        /** Calls the operator and returns its single tensor result, owned by the current scope. */
        public Tensor tensor(Object... args) {
            Object[] r = NativeOps.call(op, unwrap(args));
            return Tensor.scoped((NativeTensor) only(r, this), op.qualifiedName());
        }

        /** Calls the operator and returns its tensor-list result (or its several tensor results). */
        public List<Tensor> tensors(Object... args) {
            Object[] r = NativeOps.call(op, unwrap(args));
            if (r.length == 1 && r[0] instanceof NativeTensor[] ts) {
                return Collections.unmodifiableList(java.util.Arrays.asList(Tensor.scoped(ts, op.qualifiedName())));
            }
            return Collections.unmodifiableList(java.util.Arrays.asList(Ops.tuple(r, this)));
        }

        /** Calls the operator and returns its tensor results in order. */
        public Tensor[] tuple(Object... args) {
            return Ops.tuple(NativeOps.call(op, unwrap(args)), this);
        }

        /** Calls an in-place or void operator, freeing the alias of its input that it returns. */
        public void run(Object... args) {
            for (Object o : NativeOps.call(op, unwrap(args))) {
                NativeOps.closeResult(o);
            }
        }

        /** Calls the operator and returns its numeric result. */
        public Number number(Object... args) {
            return single(Number.class, "number", args);
        }

        /** Calls the operator and returns its boolean result. */
        public boolean bool(Object... args) {
            return single(Boolean.class, "bool", args);
        }

        /** The operator's one result as a {@code type}; any other result is freed and refused. */
        private <T> T single(Class<T> type, String kind, Object[] args) {
            Object o = only(NativeOps.call(op, unwrap(args)), this);
            if (type.isInstance(o)) {
                return type.cast(o);
            }
            NativeOps.closeResult(o);
            throw new dev.jtorch.TorchException(name() + " returned " + o + ", not a " + kind);
        }

        @Override
        public String toString() {
            return op.qualifiedName();
        }
    }

    /**
     * The operator {@code qualifiedName}: {@code "aten::add.Tensor"} (name and overload), or
     * {@code "aten::cumsum"} for the default overload. Resolution happens on the first call.
     */
    public static Op of(String qualifiedName) {
        String name = qualifiedName.contains("::") ? qualifiedName : "aten::" + qualifiedName;
        int ns = name.indexOf("::");
        int dot = name.indexOf('.', ns);
        return dot < 0 ? new Op(name, "") : new Op(name.substring(0, dot), name.substring(dot + 1));
    }

    private static Object only(Object[] r, Op op) {
        if (r.length != 1) {
            for (Object o : r) {
                NativeOps.closeResult(o);
            }
            throw new dev.jtorch.TorchException(op.name() + " returned " + r.length + " values, expected 1");
        }
        return r[0];
    }

    private static Tensor[] tuple(Object[] r, Op op) {
        NativeTensor[] hs = new NativeTensor[r.length];
        for (int i = 0; i < r.length; i++) {
            if (!(r[i] instanceof NativeTensor)) {
                for (Object o : r) {
                    NativeOps.closeResult(o);
                }
                throw new dev.jtorch.TorchException(op.name() + " result " + i + " is not a tensor");
            }
            hs[i] = (NativeTensor) r[i];
        }
        return Tensor.scoped(hs, op.name());
    }

    private static Object wrap(Object o, NativeOps.Op op) {
        if (o instanceof NativeTensor h) {
            return Tensor.scoped(h, op.qualifiedName());
        }
        if (o instanceof NativeTensor[] hs) {
            return Collections.unmodifiableList(java.util.Arrays.asList(Tensor.scoped(hs, op.qualifiedName())));
        }
        return o;
    }

    private static List<Object> wrapAll(Object[] r, NativeOps.Op op) {
        List<Object> out = new ArrayList<>(r.length);
        try {
            for (Object o : r) {
                out.add(wrap(o, op));
            }
        } catch (RuntimeException e) {
            for (int i = out.size(); i < r.length; i++) {
                NativeOps.closeResult(r[i]);
            }
            throw e;
        }
        return Collections.unmodifiableList(out);
    }

    /** Public values to what {@link NativeOps} takes: tensors to their live handles. */
    private static Object[] unwrap(Object[] args) {
        Object[] out = args.clone();
        for (int i = 0; i < out.length; i++) {
            Object a = out[i];
            if (a instanceof Tensor t) {
                out[i] = t.handle();
            } else if (a instanceof List<?> l) {
                NativeTensor[] hs = new NativeTensor[l.size()];
                for (int k = 0; k < hs.length; k++) {
                    Object e = l.get(k);
                    if (e != null && !(e instanceof Tensor)) {
                        throw new IllegalArgumentException("argument " + i + ": list element " + k + " is a "
                                + e.getClass().getSimpleName() + ", not a Tensor");
                    }
                    hs[k] = e == null ? null : ((Tensor) e).handle();
                }
                out[i] = hs;
            } else if (a instanceof Generator g) {
                out[i] = g.handle();
            } else if (a instanceof Integer n) {
                out[i] = n.longValue();
            } else if (a instanceof Float f) {
                out[i] = f.doubleValue();
            }
        }
        return out;
    }
}
