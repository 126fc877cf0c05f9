package dev.jtorch.internal;

import dev.jtorch.DType;
import dev.jtorch.MemoryFormat;
import dev.jtorch.Device;
import dev.jtorch.TorchException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.bytedeco.pytorch.Argument;
import org.bytedeco.pytorch.Dispatcher;
import org.bytedeco.pytorch.FunctionSchema;
import org.bytedeco.pytorch.GenericList;
import org.bytedeco.pytorch.IntOptional;
import org.bytedeco.pytorch.IValue;
import org.bytedeco.pytorch.IValueOptional;
import org.bytedeco.pytorch.IValueVector;
import org.bytedeco.pytorch.ListType;
import org.bytedeco.pytorch.OperatorHandle;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.Type;
import org.bytedeco.pytorch.global.torch;

/**
 * Calls any operator registered in libtorch's dispatcher through its boxed calling convention:
 * the one native entry point of the generated op layer.
 *
 * <p>Arguments are converted by the operator's own schema (read from the dispatcher once per
 * operator), so a Java {@code long} becomes an {@code int}, a {@code SymInt} or a {@code Scalar} as
 * the schema says, and a missing trailing argument gets the schema's default value. Results come
 * back as owned {@link NativeTensor}s (or arrays of them for tensor lists) and boxed Java numbers.
 * Every native failure goes through {@link Errors#translate} with the operator's name and its
 * inputs' shapes and dtypes.
 */
public final class NativeOps {
    static {
        NativeRuntime.ensureLoaded();
    }

    /** Passed in place of an argument to use the schema's default for it. */
    public static final Object DEFAULT = new Object() {
        @Override
        public String toString() {
            return "<default>";
        }
    };

    private NativeOps() {}

    /** The kinds of schema argument types jtorch converts Java values to. */
    enum Kind {
        TENSOR, INT, INT_LIST, FLOAT, FLOAT_LIST, BOOL, BOOL_LIST, SCALAR, TENSOR_LIST, OPT_TENSOR_LIST,
        SCALAR_TYPE, DEVICE, STR, GENERATOR, OTHER
    }

    /** The argument kinds by the dispatcher's spelling of the type, without its trailing {@code ?}. */
    private static final java.util.Map<String, Kind> KINDS = java.util.Map.ofEntries(
            java.util.Map.entry("Tensor", Kind.TENSOR), java.util.Map.entry("int", Kind.INT),
            java.util.Map.entry("SymInt", Kind.INT), java.util.Map.entry("float", Kind.FLOAT),
            java.util.Map.entry("bool", Kind.BOOL), java.util.Map.entry("Scalar", Kind.SCALAR),
            java.util.Map.entry("ScalarType", Kind.SCALAR_TYPE), java.util.Map.entry("Device", Kind.DEVICE),
            java.util.Map.entry("str", Kind.STR), java.util.Map.entry("Generator", Kind.GENERATOR),
            java.util.Map.entry("int[]", Kind.INT_LIST), java.util.Map.entry("SymInt[]", Kind.INT_LIST),
            java.util.Map.entry("float[]", Kind.FLOAT_LIST), java.util.Map.entry("bool[]", Kind.BOOL_LIST),
            java.util.Map.entry("Tensor[]", Kind.TENSOR_LIST), java.util.Map.entry("Tensor?[]", Kind.OPT_TENSOR_LIST));

    /** One parsed schema argument. */
    record Arg(String name, String type, Kind kind, boolean optional, int fixedLength) {}

    /**
     * A resolved operator: the dispatcher's handle and its parsed arguments, found on first use and
     * cached for the life of the process (operators are never unregistered).
     */
    public static final class Op {
        private final String name;
        private final String overload;
        private volatile Resolved resolved;

        private Op(String name, String overload) {
            this.name = name;
            this.overload = overload;
        }

        /** The qualified name, e.g. {@code aten::add.Tensor}. */
        public String qualifiedName() {
            return overload.isEmpty() ? name : name + "." + overload;
        }

        /** The operator's schema in PyTorch's syntax. */
        public String schema() {
            return resolve().schema;
        }

        /** The schema's argument names, in order. */
        public List<String> argumentNames() {
            List<String> out = new ArrayList<>();
            for (Arg a : resolve().args) {
                out.add(a.name());
            }
            return out;
        }

        Resolved resolve() {
            Resolved r = resolved;
            if (r == null) {
                synchronized (this) {
                    r = resolved;
                    if (r == null) {
                        r = new Resolved(name, overload);
                        resolved = r;
                    }
                }
            }
            return r;
        }

        @Override
        public String toString() {
            return qualifiedName();
        }
    }

    static final class Resolved {
        final OperatorHandle handle;
        final String schema;
        final Arg[] args;
        /** The schema's default per argument, or null where it has none. */
        final IValue[] defaults;
        /** An empty list of the schema's element type per list argument (an empty {@code Object[]} from Java). */
        final IValue[] emptyLists;
        final OpGuards.Guard guard;

        Resolved(String name, String overload) {
            guard = OpGuards.forOp(overload.isEmpty() ? name : name + "." + overload);
            OperatorHandle h;
            try {
                h = Dispatcher.singleton().findSchemaOrThrow(name, overload);
            } catch (RuntimeException e) {
                throw new TorchException("libtorch has no operator " + name + (overload.isEmpty() ? "" : "." + overload)
                        + ": " + Errors.firstLine(String.valueOf(e.getMessage())));
            }
            handle = h;
            FunctionSchema fs = h.schema();
            schema = torch.toString(fs).getString();
            Argument natives = fs.arguments();
            int n = (int) natives.limit();
            args = new Arg[n];
            defaults = new IValue[n];
            emptyLists = new IValue[n];
            for (int i = 0; i < n; i++) {
                Argument a = natives.getPointer(i);
                // type() is the schema's declared type with SymInt as int and ScalarType, Layout and
                // MemoryFormat as int (their IValue encoding); N() is int[N]'s fixed length
                String type = a.type().get().str().getString();
                IntOptional fixed = a.N();
                args[i] = typed(a.name().getString(), type, fixed.has_value() ? fixed.get() : 0);
                fixed.close();
                if (type.replace("?", "").endsWith("[]")) {
                    emptyLists[i] = emptyList(a);
                }
                IValueOptional d = a.default_value();
                if (d.has_value()) {
                    defaults[i] = new IValue(d.get());
                }
                d.close();
            }
        }
    }

    /** The operator {@code name} ({@code "aten::cumsum"}) with the given overload ({@code ""} for the default). */
    public static Op op(String name, String overload) {
        return new Op(name, overload);
    }

    // ================================================================= calling

    private static final ThreadLocal<IValueVector> STACKS = ThreadLocal.withInitial(IValueVector::new);
    // Element types of the lists built for arguments: made once, never freed (as libtorch's own).
    private static final Type.TypePtr INT_T = ListType.ofInts().getElementType();
    private static final Type.TypePtr FLOAT_T = ListType.ofFloats().getElementType();
    private static final Type.TypePtr BOOL_T = ListType.ofBools().getElementType();
    static final Type.TypePtr TENSOR_T = ListType.ofTensors().getElementType();
    private static final Type.TypePtr OPT_TENSOR_T = ListType.ofOptionalTensors().getElementType();

    /**
     * Calls {@code op} with {@code args} in schema order; fewer arguments than the schema has, or
     * {@link #DEFAULT} in a position, take the schema's defaults.
     *
     * @return the results in order: {@link NativeTensor} (owned by the caller),
     *     {@code NativeTensor[]} for tensor lists, {@code Long}, {@code Double}, {@code Boolean},
     *     {@code String}, {@code long[]}, {@code double[]}, or null for None
     * @throws TorchException for a native failure, naming the operator and its inputs
     * @throws IllegalArgumentException for a Java value the schema cannot take
     */
    public static Object[] call(Op op, Object... args) {
        Resolved r = op.resolve();
        if (args.length > r.args.length) {
            throw new IllegalArgumentException(op.qualifiedName() + " takes " + r.args.length
                    + " arguments, got " + args.length + ": " + r.schema);
        }
        // every tensor stays allocated until the stack is cleared, whoever closes it meanwhile
        acquireTensors(args);
        IValueVector stack = STACKS.get();
        try {
            if (r.guard != null) {
                r.guard.check(op.qualifiedName(), args);
            }
            stack.clear();
            for (int i = 0; i < r.args.length; i++) {
                Object v = i < args.length ? args[i] : DEFAULT;
                push(stack, r, i, v, op);
            }
            try {
                r.handle.callBoxed(stack);
            } catch (RuntimeException e) {
                throw Errors.translate(e, describe(op, r, args));
            }
            return results(stack, op);
        } finally {
            stack.clear();
            releaseTensors(args, args.length);
        }
    }

    private static void acquireTensors(Object[] args) {
        for (int i = 0; i < args.length; i++) {
            Object v = args[i];
            try {
                if (v instanceof NativeTensor t) {
                    t.acquire();
                } else if (v instanceof NativeTensor[] ts) {
                    NativeTensor.acquireAll(ts);
                } else if (v instanceof NativeGenerator g) {
                    g.acquire();
                }
            } catch (RuntimeException e) {
                releaseTensors(args, i);
                throw e;
            }
        }
    }

    private static void releaseTensors(Object[] args, int n) {
        for (int i = 0; i < n; i++) {
            Object v = args[i];
            if (v instanceof NativeTensor t) {
                t.release();
            } else if (v instanceof NativeTensor[] ts) {
                NativeTensor.releaseAll(ts, ts.length);
            } else if (v instanceof NativeGenerator g) {
                g.release();
            }
        }
    }

    private static void push(IValueVector stack, Resolved r, int i, Object v, Op op) {
        Arg a = r.args[i];
        if (v == DEFAULT) {
            if (r.defaults[i] == null) {
                throw new IllegalArgumentException(op.qualifiedName() + ": argument '" + a.name()
                        + "' (" + a.type() + ") has no default and was not given");
            }
            stack.push_back(r.defaults[i]);
            return;
        }
        if (v == null) {
            if (!a.optional()) {
                throw new IllegalArgumentException(op.qualifiedName() + ": argument '" + a.name()
                        + "' (" + a.type() + ") must not be null");
            }
            try (IValue none = new IValue()) {
                stack.push_back(none);
            }
            return;
        }
        // an empty Object[] (or an empty tensor list): an empty list of whatever the schema lists
        if (v instanceof Object[] empty && empty.length == 0 && r.emptyLists[i] != null) {
            stack.push_back(r.emptyLists[i]);
            return;
        }
        try (IValue iv = convert(a, v, op)) {
            stack.push_back(iv);
        }
    }

    private static IValue convert(Arg a, Object v, Op op) {
        switch (a.kind()) {
            case TENSOR:
                return new IValue(tensor(a, v, op).held());
            case INT:
                if (v instanceof DType t) {
                    return new IValue(Natives.scalarType(t)); // a ScalarType argument, printed as int
                }
                if (v instanceof MemoryFormat f) {
                    return new IValue(Natives.memoryFormat(f)); // a MemoryFormat argument, printed as int
                }
                return new IValue(integer(a, v, op));
            case FLOAT:
                return new IValue(number(a, v, op).doubleValue());
            case BOOL:
                if (v instanceof Boolean b) {
                    return new IValue(b.booleanValue());
                }
                throw mismatch(a, v, op);
            case SCALAR:
                if (v instanceof Boolean b) {
                    return new IValue(b.booleanValue());
                }
                Number n = number(a, v, op);
                return isIntegral(n) ? new IValue(n.longValue()) : new IValue(n.doubleValue());
            case INT_LIST: {
                long[] xs;
                if (v instanceof long[] l) {
                    xs = l;
                } else if (v instanceof int[] l) {
                    xs = Arrays.stream(l).asLongStream().toArray();
                } else if (v instanceof Number) {
                    xs = new long[Math.max(1, a.fixedLength())];
                    Arrays.fill(xs, integer(a, v, op));
                } else {
                    throw mismatch(a, v, op);
                }
                if (a.fixedLength() > 1 && xs.length == 1) {
                    long x = xs[0];
                    xs = new long[a.fixedLength()];
                    Arrays.fill(xs, x);
                }
                long[] ints = xs;
                return list(INT_T, ints.length, k -> new IValue(ints[k]));
            }
            case FLOAT_LIST: {
                double[] xs;
                if (v instanceof double[] d) {
                    xs = d;
                } else if (v instanceof Number num) {
                    xs = new double[Math.max(1, a.fixedLength())];
                    Arrays.fill(xs, num.doubleValue());
                } else {
                    throw mismatch(a, v, op);
                }
                double[] floats = xs;
                return list(FLOAT_T, floats.length, k -> new IValue(floats[k]));
            }
            case BOOL_LIST: {
                if (!(v instanceof boolean[] xs)) {
                    throw mismatch(a, v, op);
                }
                return list(BOOL_T, xs.length, k -> new IValue(xs[k]));
            }
            case TENSOR_LIST:
            case OPT_TENSOR_LIST: {
                if (!(v instanceof NativeTensor[] ts)) {
                    throw mismatch(a, v, op);
                }
                boolean optionalElements = a.kind() == Kind.OPT_TENSOR_LIST;
                for (int k = 0; k < ts.length && !optionalElements; k++) {
                    if (ts[k] == null) {
                        throw new IllegalArgumentException(op.qualifiedName() + ": argument '" + a.name()
                                + "' element " + k + " is null");
                    }
                }
                return list(optionalElements ? OPT_TENSOR_T : TENSOR_T, ts.length,
                        k -> ts[k] == null ? new IValue() : new IValue(ts[k].held()));
            }
            case SCALAR_TYPE:
                if (v instanceof DType t) {
                    return new IValue(Natives.scalarType(t));
                }
                throw mismatch(a, v, op);
            case DEVICE:
                if (v instanceof Device d) {
                    return new IValue(Natives.device(d));
                }
                throw mismatch(a, v, op);
            case STR:
                if (v instanceof String s) {
                    return new IValue(s);
                }
                throw mismatch(a, v, op);
            case GENERATOR:
                if (v instanceof NativeGenerator g) {
                    return g.ivalue(); // held by acquireTensors until the stack is cleared
                }
                throw mismatch(a, v, op);
            default:
                throw new IllegalArgumentException(op.qualifiedName() + ": argument '" + a.name() + "' of type "
                        + a.type() + " can only take its default from Java");
        }
    }

    /**
     * An empty list of argument {@code a}'s element type ({@code int[]?} and {@code Scalar?[]} alike):
     * the kernel checks the element type when it unboxes the list, even an empty one. Made once per
     * resolved operator and kept with it.
     */
    private static IValue emptyList(Argument a) {
        try (Type.TypePtr declared = a.type()) {
            Type list = declared.get();
            if (list.kind().value == torch.TypeKind.OptionalType.value) {
                try (Type.TypePtr inner = list.containedType(0); Type.TypePtr element = inner.get().containedType(0)) {
                    return wrap(new GenericList(element));
                }
            }
            try (Type.TypePtr element = list.containedType(0)) {
                return wrap(new GenericList(element));
            }
        }
    }

    /** A list IValue of {@code n} elements of type {@code t}; each element made by {@code item} is freed once added. */
    static IValue list(Type.TypePtr t, int n, java.util.function.IntFunction<IValue> item) {
        GenericList list = new GenericList(t);
        for (int k = 0; k < n; k++) {
            try (IValue e = item.apply(k)) {
                list.push_back(e);
            }
        }
        return wrap(list);
    }

    private static IValue wrap(GenericList list) {
        try {
            return new IValue(list);
        } finally {
            list.close();
        }
    }

    private static NativeTensor tensor(Arg a, Object v, Op op) {
        if (v instanceof NativeTensor t) {
            return t;
        }
        throw mismatch(a, v, op);
    }

    private static Number number(Arg a, Object v, Op op) {
        if (v instanceof Number n) {
            return n;
        }
        throw mismatch(a, v, op);
    }

    private static long integer(Arg a, Object v, Op op) {
        Number n = number(a, v, op);
        if (!isIntegral(n)) {
            throw new IllegalArgumentException(op.qualifiedName() + ": argument '" + a.name() + "' ("
                    + a.type() + ") takes an integer, got " + n);
        }
        return n.longValue();
    }

    private static boolean isIntegral(Number n) {
        return n instanceof Long || n instanceof Integer || n instanceof Short || n instanceof Byte;
    }

    private static IllegalArgumentException mismatch(Arg a, Object v, Op op) {
        return new IllegalArgumentException(op.qualifiedName() + ": argument '" + a.name() + "' ("
                + a.type() + ") cannot take a " + v.getClass().getSimpleName());
    }

    private static Object[] results(IValueVector stack, Op op) {
        int n = (int) stack.size();
        Object[] out = new Object[n];
        try {
            for (int i = 0; i < n; i++) {
                try (IValue v = stack.get(i)) {
                    out[i] = result(v, op);
                }
            }
        } catch (RuntimeException e) {
            for (Object o : out) {
                closeResult(o);
            }
            throw e;
        }
        return out;
    }

    private static Object result(IValue v, Op op) {
        if (v.isTensor()) {
            // toTensor() on an lvalue IValue is a reference into the stack: copy-construct a
            // Tensor of our own (one more reference) before the stack is cleared.
            try (org.bytedeco.pytorch.Tensor borrowed = v.toTensor()) {
                return NativeTensor.own(new org.bytedeco.pytorch.Tensor(borrowed));
            }
        }
        if (v.isNone()) {
            return null;
        }
        if (v.isTensorList()) {
            try (TensorVector tv = v.toTensorVector()) {
                NativeTensor[] ts = new NativeTensor[(int) tv.size()];
                for (int k = 0; k < ts.length; k++) {
                    try (org.bytedeco.pytorch.Tensor borrowed = tv.get(k)) {
                        ts[k] = NativeTensor.own(new org.bytedeco.pytorch.Tensor(borrowed));
                    }
                }
                return ts;
            }
        }
        if (v.isInt()) {
            return v.toInt();
        }
        if (v.isDouble()) {
            return v.toDouble();
        }
        if (v.isBool()) {
            return v.toBool();
        }
        if (v.isString()) {
            return v.toStringRef().getString();
        }
        if (v.isIntList()) {
            try (org.bytedeco.pytorch.LongVector lv = v.toIntVector()) {
                long[] xs = new long[(int) lv.size()];
                for (int k = 0; k < xs.length; k++) {
                    xs[k] = lv.get(k);
                }
                return xs;
            }
        }
        throw new TorchException(op.qualifiedName() + " returned a value jtorch cannot convert (" + v.tagKind().getString() + ")");
    }

    /** Frees whatever native handles a result array holds (after a failure while converting it). */
    public static void closeResult(Object o) {
        if (o instanceof NativeTensor t) {
            t.close();
        } else if (o instanceof NativeTensor[] ts) {
            for (NativeTensor t : ts) {
                t.close();
            }
        }
    }

    private static String describe(Op op, Resolved r, Object[] args) {
        StringBuilder sb = new StringBuilder(op.qualifiedName()).append('(');
        for (int i = 0; i < args.length && i < r.args.length; i++) {
            if (args[i] == DEFAULT) {
                continue;
            }
            if (sb.charAt(sb.length() - 1) != '(') {
                sb.append(", ");
            }
            sb.append(r.args[i].name()).append('=').append(show(args[i]));
        }
        return sb.append(')').toString();
    }

    private static String show(Object v) {
        if (v instanceof NativeTensor t) {
            return t.describe();
        }
        if (v instanceof NativeTensor[] ts) {
            StringBuilder sb = new StringBuilder("[");
            for (int i = 0; i < ts.length; i++) {
                if (i > 0) {
                    sb.append(", ");
                }
                if (i == 8) {
                    sb.append("... ").append(ts.length).append(" tensors");
                    break;
                }
                sb.append(ts[i] == null ? "None" : ts[i].describe());
            }
            return sb.append(']').toString();
        }
        if (v instanceof long[] l) {
            return Arrays.toString(l);
        }
        if (v instanceof double[] d) {
            return Arrays.toString(d);
        }
        if (v instanceof boolean[] b) {
            return Arrays.toString(b);
        }
        if (v instanceof String s) {
            return "'" + s + "'";
        }
        return String.valueOf(v == null ? "None" : v);
    }

    // ================================================================= schema types

    /** The kind of one argument type as the dispatcher prints it ({@code int[]?}, {@code Tensor?[]}). */
    static Arg typed(String name, String type, int fixedLength) {
        boolean optional = type.endsWith("?");
        String base = optional ? type.substring(0, type.length() - 1) : type;
        Kind kind = KINDS.getOrDefault(base, Kind.OTHER);
        return new Arg(name, type, kind, optional, fixedLength);
    }
}
