package dev.jtorch.internal;

import dev.jtorch.DType;
import dev.jtorch.Device;
import dev.jtorch.MemoryFormat;
import java.util.Arrays;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.pytorch.LongOptional;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.T_TensorTensor_T;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * One owned {@code at::Tensor} handle and every op jtorch runs on it.
 *
 * <p>Each op returns a new handle that the caller owns. A handle is freed exactly once by
 * {@link #close()}; using it afterwards throws {@link IllegalStateException}. Native failures are
 * translated by {@link Errors} with the op's name and its inputs' shapes. Every native use of a
 * handle is bracketed by {@link #acquire()} and {@link #release()} ({@link Guarded}), so closing it
 * while another thread runs an op on it never frees memory under that op: the op completes, or
 * fails with {@link IllegalStateException} if the close came first. Concurrent ops on one tensor
 * follow libtorch's own rules (reads are safe, writes race).
 */
public final class NativeTensor extends Guarded {
    static {
        NativeRuntime.ensureLoaded();
    }

    private static final long REDUCTION_NONE = 0, REDUCTION_MEAN = 1, REDUCTION_SUM = 2;

    private final Tensor p;
    private Handles.Token token;

    private NativeTensor(Tensor p) {
        this.p = p;
        Handles.opened();
    }

    static NativeTensor own(Tensor p) {
        return new NativeTensor(p);
    }

    /** Records where {@code owner} (the public wrapper) was made, when leak tracking is on. */
    public void track(Object owner) {
        if (Handles.leakTracking()) {
            token = Handles.track(owner, "tensor " + Arrays.toString(shape()));
        }
    }

    /**
     * The native tensor for a caller that does not hold a use: only for code that cannot race a
     * close (the tensor is not shared yet). Others use {@link #acquire()}.
     */
    Tensor ptr() {
        if (isClosed()) {
            throw usedAfterClose();
        }
        return p;
    }

    /**
     * Counts a use and returns the native tensor, valid until the matching {@link #release()}
     * even if another thread closes this handle meanwhile.
     *
     * @throws IllegalStateException if the handle is closed
     */
    Tensor acquire() {
        enter();
        return p;
    }

    /** Ends a use begun by {@link #acquire()}. */
    void release() {
        exit();
    }

    /** The native tensor while the caller holds a use ({@link #acquire()}), without checking. */
    Tensor held() {
        return p;
    }

    /**
     * {@code f} on this tensor's native handle and {@code o}'s, each held for the call (another
     * thread may close either meanwhile: see {@link Guarded}); a native failure names {@code op}.
     */
    private NativeTensor binary(NativeTensor o, String op, java.util.function.BinaryOperator<Tensor> f) {
        return withBoth(o, (a, b) -> {
            try {
                return own(f.apply(a, b));
            } catch (RuntimeException e) {
                throw fail(e, op, o);
            }
        });
    }

    /** {@code f} on this tensor's native handle and {@code o}'s, each held for the call. */
    private <R> R withBoth(NativeTensor o, java.util.function.BiFunction<Tensor, Tensor, R> f) {
        acquire();
        try {
            o.acquire();
            try {
                return f.apply(held(), o.held());
            } finally {
                o.release();
            }
        } finally {
            release();
        }
    }

    /** {@code f} on this tensor's native handle, held for the call; a failure passes through as thrown. */
    private <R> R with(java.util.function.Function<Tensor, R> f) {
        acquire();
        try {
            return f.apply(held());
        } finally {
            release();
        }
    }

    /**
     * As {@link #with(java.util.function.Function)}, a native failure translated and named by
     * {@code op}, whose description is built only on failure.
     */
    private <R> R call(java.util.function.Supplier<String> op, java.util.function.Function<Tensor, R> f) {
        return with(t -> {
            try {
                return f.apply(t);
            } catch (RuntimeException e) {
                throw fail(e, op.get());
            }
        });
    }

    /** {@code f}'s new tensor on this tensor's native handle, held for the call; a native failure names {@code op}. */
    private NativeTensor unary(String op, java.util.function.UnaryOperator<Tensor> f) {
        return unary(() -> op, f);
    }

    /** As {@link #unary(String, java.util.function.UnaryOperator)}, the op's description built only on failure. */
    private NativeTensor unary(java.util.function.Supplier<String> op, java.util.function.UnaryOperator<Tensor> f) {
        return call(op, t -> own(f.apply(t)));
    }

    @Override
    protected void free() {
        p.close();
        Handles.closed();
        Handles.Token t = token;
        if (t != null) {
            token = null;
            t.release();
        }
    }

    @Override
    protected IllegalStateException usedAfterClose() {
        return new IllegalStateException("tensor used after close()");
    }

    // ---------------------------------------------------------------- errors

    private RuntimeException fail(RuntimeException e, String op, NativeTensor... others) {
        StringBuilder sb = new StringBuilder(op).append('(').append(describe());
        for (NativeTensor o : others) {
            sb.append(", ").append(o == null ? "null" : o.describe());
        }
        return Errors.translate(e, sb.append(')').toString());
    }

    String describe() {
        if (isClosed()) {
            return "<closed>";
        }
        try {
            return Arrays.toString(shape()) + " " + dtype() + (device().isCuda() ? " " + device() : "");
        } catch (RuntimeException e) {
            return "<tensor>";
        }
    }

    private static RuntimeException failFactory(RuntimeException e, String op, long[] shape, DType t, Device d) {
        return Errors.translate(e, op + "(" + Arrays.toString(shape) + ", " + t + ", " + d + ")");
    }

    // ---------------------------------------------------------------- factories

    private static void checkShape(long[] shape) {
        for (long s : shape) {
            if (s < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
        }
    }

    /** A new tensor from {@code make(shape, options)}; a native failure names {@code op} and its arguments. */
    private static NativeTensor factory(String op, long[] shape, DType t, Device d,
                                        java.util.function.BiFunction<long[], org.bytedeco.pytorch.TensorOptions, Tensor> make) {
        checkShape(shape);
        try {
            return own(make.apply(shape, Natives.options(t, d)));
        } catch (RuntimeException e) {
            throw failFactory(e, op, shape, t, d);
        }
    }

    /** {@code torch.zeros}. */
    public static NativeTensor zeros(long[] shape, DType t, Device d) {
        return factory("zeros", shape, t, d, (s, o) -> torch.zeros(s, o));
    }

    /** {@code torch.ones}. */
    public static NativeTensor ones(long[] shape, DType t, Device d) {
        return factory("ones", shape, t, d, (s, o) -> torch.ones(s, o));
    }

    /** {@code torch.empty}: uninitialized memory. */
    public static NativeTensor empty(long[] shape, DType t, Device d) {
        return factory("empty", shape, t, d, (s, o) -> torch.empty(s, o, null));
    }

    /** {@code torch.full}. */
    public static NativeTensor full(long[] shape, double value, DType t, Device d) {
        return factory("full", shape, t, d, (s, o) -> {
            try (Scalar v = new Scalar(value)) {
                return torch.full(s, v, o);
            }
        });
    }

    /** {@code torch.rand}: uniform on [0, 1) from the default generator. */
    public static NativeTensor rand(long[] shape, DType t, Device d) {
        return factory("rand", shape, t, d, (s, o) -> torch.rand(s, o));
    }

    /** {@code torch.randn}: standard normal from the default generator. */
    public static NativeTensor randn(long[] shape, DType t, Device d) {
        return factory("randn", shape, t, d, (s, o) -> torch.randn(s, o));
    }

    /** {@code torch.arange(start, end, step)}. */
    public static NativeTensor arange(double start, double end, double step, DType t, Device d) {
        try (Scalar a = new Scalar(start); Scalar b = new Scalar(end); Scalar c = new Scalar(step)) {
            return own(torch.arange(a, b, c, Natives.options(t, d)));
        } catch (RuntimeException e) {
            throw Errors.translate(e, "arange(" + start + ", " + end + ", " + step + ", " + t + ")");
        }
    }

    private static long checkData(int length, long[] shape) {
        checkShape(shape);
        long n = 1;
        for (long s : shape) {
            n = Math.multiplyExact(n, s);
        }
        if (n != length) {
            throw new IllegalArgumentException("data has " + length + " elements but shape "
                    + Arrays.toString(shape) + " needs " + n);
        }
        return n;
    }

    /** Copies a host array (already written into a CPU tensor of {@code host}'s dtype) to its target. */
    private static NativeTensor finish(Tensor host, DType target, Device d) {
        Tensor out = host;
        if (Natives.scalarType(target).value != host.scalar_type().value || d.isCuda()) {
            try {
                out = host.to(Natives.device(d), Natives.scalarType(target));
            } finally {
                host.close();
            }
        }
        return own(out);
    }

    /**
     * A tensor of {@code length} elements written by {@code put} into a CPU tensor of {@code host}'s
     * dtype, then converted to {@code t} on {@code d}; a native failure names {@code op}.
     */
    private static NativeTensor fromHost(String op, int length, long[] shape, DType host, DType t, Device d,
                                         java.util.function.Consumer<Tensor> put) {
        checkData(length, shape);
        try {
            Tensor h = torch.empty(shape, Natives.options(host, Device.CPU), null);
            if (length > 0) { // an empty tensor has no data pointer
                put.accept(h);
            }
            return finish(h, t, d);
        } catch (RuntimeException e) {
            throw failFactory(e, op, shape, t, d);
        }
    }

    /** A tensor holding a copy of {@code data}, converted to {@code t} on {@code d}. */
    public static NativeTensor of(float[] data, long[] shape, DType t, Device d) {
        return fromHost("tensor(float[])", data.length, shape, DType.FLOAT32, t, d, h -> h.data_ptr_float().put(data));
    }

    /** A tensor holding a copy of {@code data}, converted to {@code t} on {@code d}. */
    public static NativeTensor of(double[] data, long[] shape, DType t, Device d) {
        return fromHost("tensor(double[])", data.length, shape, DType.FLOAT64, t, d, h -> h.data_ptr_double().put(data));
    }

    /** A tensor holding a copy of {@code data}, converted to {@code t} on {@code d}. */
    public static NativeTensor of(long[] data, long[] shape, DType t, Device d) {
        return fromHost("tensor(long[])", data.length, shape, DType.INT64, t, d, h -> h.data_ptr_long().put(data));
    }

    /** A tensor holding a copy of {@code data}, converted to {@code t} on {@code d}. */
    public static NativeTensor of(int[] data, long[] shape, DType t, Device d) {
        return fromHost("tensor(int[])", data.length, shape, DType.INT32, t, d, h -> h.data_ptr_int().put(data));
    }

    /** A tensor holding a copy of {@code data} read as unsigned bytes, converted to {@code t}. */
    public static NativeTensor ofUnsigned(byte[] data, long[] shape, DType t, Device d) {
        return fromHost("tensor(byte[])", data.length, shape, DType.UINT8, t, d, h -> h.data_ptr_byte().put(data));
    }

    /** A boolean tensor holding a copy of {@code data}. */
    public static NativeTensor of(boolean[] data, long[] shape, Device d) {
        byte[] b = new byte[data.length];
        for (int i = 0; i < b.length; i++) {
            b[i] = data[i] ? (byte) 1 : 0;
        }
        return ofUnsigned(b, shape, DType.BOOL, d);
    }

    // ---------------------------------------------------------------- reading back

    /** Runs {@code read} on a contiguous CPU copy of this tensor in {@code as}. */
    private Tensor hostCopy(ScalarType as) {
        Tensor t = held();
        Tensor cpu = t.to(Natives.device(Device.CPU), as);
        try {
            return cpu.contiguous();
        } finally {
            cpu.close();
        }
    }

    private int checkedLength() {
        long n = held().numel();
        if (n > Integer.MAX_VALUE - 8) {
            throw new IllegalStateException("tensor of " + n + " elements does not fit in a Java array");
        }
        return (int) n;
    }

    /**
     * Copies this tensor, converted to {@code as} on the CPU and made contiguous, into a new array
     * from {@code alloc} (given the element count); the tensor is held for the copy.
     */
    private <A> A read(ScalarType as, java.util.function.IntFunction<A> alloc, java.util.function.BiConsumer<Tensor, A> copy,
                       String op) {
        return with(t -> {
            A out = alloc.apply(checkedLength());
            copyOut(as, out, copy, op);
            return out;
        });
    }

    private <A> void copyOut(ScalarType as, A out, java.util.function.BiConsumer<Tensor, A> copy, String op) {
        try {
            Tensor c = hostCopy(as);
            try {
                if (c.numel() > 0) {
                    copy.accept(c, out);
                }
            } finally {
                c.close();
            }
        } catch (RuntimeException e) {
            throw fail(e, op);
        }
    }

    /** The elements, row-major, as float (widened or narrowed as PyTorch's {@code .float()}). */
    public float[] toFloats() {
        return read(ScalarType.Float, float[]::new, (c, a) -> c.data_ptr_float().get(a), "toFloatArray");
    }

    /** The elements, row-major, as double. */
    public double[] toDoubles() {
        return read(ScalarType.Double, double[]::new, (c, a) -> c.data_ptr_double().get(a), "toDoubleArray");
    }

    /** The elements, row-major, as long (floating values truncate toward zero). */
    public long[] toLongs() {
        return read(ScalarType.Long, long[]::new, (c, a) -> c.data_ptr_long().get(a), "toLongArray");
    }

    /** The elements, row-major, as int. */
    public int[] toInts() {
        return read(ScalarType.Int, int[]::new, (c, a) -> c.data_ptr_int().get(a), "toIntArray");
    }

    /** The elements, row-major, as booleans (non-zero is true). */
    public boolean[] toBooleans() {
        byte[] raw = read(ScalarType.Bool, byte[]::new, (c, a) -> new BytePointer(c.data_ptr()).get(a), "toBooleanArray");
        boolean[] out = new boolean[raw.length];
        for (int i = 0; i < raw.length; i++) {
            out[i] = raw[i] != 0;
        }
        return out;
    }

    /** The single value of a one-element tensor, as double. */
    public double item() {
        return call(() -> "item", t -> t.item_double());
    }

    /** The single value of a one-element tensor, as long. */
    public long itemLong() {
        return call(() -> "itemLong", t -> t.item_long());
    }

    // ---------------------------------------------------------------- metadata

    /** The sizes, outermost first. */
    public long[] shape() {
        return perDimension(Tensor::size);
    }

    /** The strides in elements, outermost first. */
    public long[] strides() {
        return perDimension(Tensor::stride);
    }

    private interface DimensionProperty {
        long of(Tensor t, long dim);
    }

    private long[] perDimension(DimensionProperty property) {
        return with(t -> {
            long[] values = new long[(int) t.dim()];
            for (int i = 0; i < values.length; i++) {
                values[i] = property.of(t, i);
            }
            return values;
        });
    }

    /** Number of dimensions. */
    public int dim() {
        return with(t -> (int) t.dim());
    }

    /** Size of dimension {@code d} (negative counts from the end). */
    public long size(int d) {
        return call(() -> "size[" + d + "]", t -> t.size(d));
    }

    /** Element count. */
    public long numel() {
        return with(t -> t.numel());
    }

    /** The element type. */
    public DType dtype() {
        return with(t -> Natives.dtype(t.scalar_type()));
    }

    /** The device the storage lives on. */
    public Device device() {
        return with(t -> {
            try (org.bytedeco.pytorch.Device d = t.device()) {
                return Natives.device(d);
            }
        });
    }

    /** Whether autograd records ops on this tensor. */
    public boolean requiresGrad() {
        return with(t -> t.requires_grad());
    }

    /** Whether the tensor is contiguous in row-major order. */
    public boolean isContiguous() {
        return with(t -> t.is_contiguous());
    }

    /** Whether the tensor is dense in {@code format}'s order ({@code is_contiguous(memory_format=...)}). */
    public boolean isContiguous(MemoryFormat format) {
        torch.MemoryFormat f = Natives.memoryFormat(format);
        return with(t -> t.is_contiguous(f));
    }

    /** The layout libtorch's kernels would pick for this tensor ({@code suggest_memory_format()}). */
    public MemoryFormat suggestMemoryFormat() {
        return with(t -> {
            int v = t.suggest_memory_format().value; // JavaCPP enum results: trust value only
            return v == 2 ? MemoryFormat.CHANNELS_LAST : v == 3 ? MemoryFormat.CHANNELS_LAST_3D : MemoryFormat.CONTIGUOUS;
        });
    }

    /** Whether this is a leaf of the autograd graph. */
    public boolean isLeaf() {
        return with(t -> t.is_leaf());
    }

    /** Whether two handles share one TensorImpl (same tensor, not just equal values). */
    public boolean sameAs(NativeTensor o) {
        return withBoth(o, (a, b) -> a.is_same(b));
    }

    // ---------------------------------------------------------------- elementwise

    /** The arithmetic operators that take a tensor or a scalar operand, with ATen's name for each. */
    public enum Arith {
        /** {@code this + o}. */
        ADD("add", Tensor::add, Tensor::add),
        /** {@code this - o}. */
        SUB("sub", Tensor::sub, Tensor::sub),
        /** {@code this * o}. */
        MUL("mul", Tensor::mul, Tensor::mul),
        /** {@code this / o} (true division). */
        DIV("div", Tensor::div, Tensor::div);

        private final String op;
        private final java.util.function.BinaryOperator<Tensor> byTensor;
        private final java.util.function.BiFunction<Tensor, Scalar, Tensor> byScalar;

        Arith(String op, java.util.function.BinaryOperator<Tensor> byTensor,
              java.util.function.BiFunction<Tensor, Scalar, Tensor> byScalar) {
            this.op = op;
            this.byTensor = byTensor;
            this.byScalar = byScalar;
        }

        /** ATen's name of the operator, as error messages give it. */
        public String op() {
            return op;
        }
    }

    /** {@code this (op) o}, broadcasting. */
    public NativeTensor arith(Arith op, NativeTensor o) {
        return binary(o, op.op, op.byTensor);
    }

    /**
     * {@code this (op) v} for a scalar operand. The Java type picks the scalar's kind as Python's
     * literal does: a {@code Long} -> an integer scalar ({@code int64 tensor * 3} stays int64),
     * a {@code Double} -> a floating one ({@code int64 tensor * 3.0} is float32), PyTorch's promotion.
     */
    public NativeTensor arith(Arith op, Number v) {
        // held before the Scalar exists: a closed tensor must not leak it
        return call(() -> op.op + "(" + v + ")", a -> {
            try (Scalar scalar = scalar(v)) {
                return own(op.byScalar.apply(a, scalar));
            }
        });
    }

    /** An integer scalar for a {@code Long}, a floating one for a {@code Double}. */
    private static Scalar scalar(Number v) {
        return v instanceof Long l ? new Scalar(l.longValue()) : new Scalar(v.doubleValue());
    }

    /** {@code this += alpha * o} in place; the returned reference is this tensor's, nothing to free. */
    public void addInPlace(NativeTensor o, double alpha) {
        addInPlaceOf(o, alpha);
    }

    /** {@code this += alpha * o} in place with an integer {@code alpha}. */
    public void addInPlace(NativeTensor o, long alpha) {
        addInPlaceOf(o, alpha);
    }

    private void addInPlaceOf(NativeTensor o, Number alpha) {
        withBoth(o, (a, b) -> {
            try (Scalar s = scalar(alpha)) {
                a.add_(b, s);
                return null;
            } catch (RuntimeException e) {
                throw fail(e, "add_(alpha=" + alpha + ")", o);
            }
        });
    }

    public NativeTensor matmul(NativeTensor o) {
        return binary(o, "matmul", (a, b) -> a.matmul(b));
    }

    // ---------------------------------------------------------------- comparisons

    /** Comparison codes: 0 eq, 1 ne, 2 lt, 3 le, 4 gt, 5 ge. */
    private static final String[] CMP = {"eq", "ne", "lt", "le", "gt", "ge"};

    // ---------------------------------------------------------------- shape

    /** A new handle on the same TensorImpl (an alias, not a copy). */
    public NativeTensor alias() {
        return with(t -> own(new Tensor(t)));
    }

    private static org.bytedeco.pytorch.TensorVector vector(NativeTensor[] ts) {
        Tensor[] ps = new Tensor[ts.length];
        for (int i = 0; i < ts.length; i++) {
            ps[i] = ts[i].held();
        }
        return new org.bytedeco.pytorch.TensorVector(ps);
    }

    /** Acquires every handle of {@code ts} (nulls skipped), or none if one is closed. */
    static void acquireAll(NativeTensor[] ts) {
        for (int i = 0; i < ts.length; i++) {
            if (ts[i] != null) {
                try {
                    ts[i].acquire();
                } catch (RuntimeException e) {
                    releaseAll(ts, i);
                    throw e;
                }
            }
        }
    }

    /** Releases the first {@code n} handles of {@code ts} (nulls skipped). */
    static void releaseAll(NativeTensor[] ts, int n) {
        for (int i = 0; i < n; i++) {
            if (ts[i] != null) {
                ts[i].release();
            }
        }
    }

    private static String describeAll(NativeTensor[] ts) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < ts.length; i++) {
            sb.append(i > 0 ? ", " : "").append(ts[i].describe());
        }
        return sb.append(']').toString();
    }

    // ---------------------------------------------------------------- reductions

    private static NativeTensor[] pair(T_TensorTensor_T r) {
        return new NativeTensor[] {own(new Tensor(T_TensorTensor_T.get0(r))), own(new Tensor(T_TensorTensor_T.get1(r)))};
    }

    // ---------------------------------------------------------------- conversion

    public NativeTensor relu() {
        return unary("relu", a -> torch.relu(a));
    }


    public NativeTensor softmax(int dim) {
        return unary(() -> "softmax(dim=" + dim + ")", a -> torch.softmax(a, dim));
    }


    public NativeTensor logSoftmax(int dim) {
        return unary(() -> "logSoftmax(dim=" + dim + ")", a -> torch.log_softmax(a, dim));
    }


    public NativeTensor narrow(int dim, long start, long length) {
        return unary(() -> "narrow(" + dim + ", " + start + ", " + length + ")", a -> a.narrow(dim, start, length));
    }

    // Typed fast paths for the ops on training's per-step path (accuracy counting, reshapes): the
    // generated layer's boxed dispatcher call costs measurably more per op (docs/benchmarks.md).

    public NativeTensor argmax(long dim) {
        return call(() -> "argmax(dim=" + dim + ")", a -> {
            try (LongOptional d = new LongOptional(dim)) {
                return own(a.argmax(d, false));
            }
        });
    }

    public NativeTensor eq(NativeTensor o) {
        return binary(o, "eq", (a, b) -> a.eq(b));
    }

    public NativeTensor sum() {
        return unary("sum", a -> a.sum());
    }


    public NativeTensor view(long[] shape) {
        return unary(() -> "view" + Arrays.toString(shape), a -> a.view(shape));
    }


    public NativeTensor cloneTensor() {
        return unary("clone", a -> a.clone());
    }


    public NativeTensor to(Device d, DType t) {
        return unary(() -> "to(" + d + ", " + t + ")", a -> a.to(Natives.device(d), Natives.scalarType(t)));
    }

    /** {@code contiguous(memory_format=format)}: this tensor itself when already dense in that order, else a copy. */
    public NativeTensor contiguous(MemoryFormat format) {
        torch.MemoryFormat f = Natives.memoryFormat(format);
        return unary(() -> "contiguous(memory_format=" + format + ")", a -> a.contiguous(f));
    }

    // ---------------------------------------------------------------- autograd

    /** Sets requires_grad in place. */
    public void setRequiresGrad(boolean on) {
        call(() -> "requiresGrad(" + on + ")", t -> t.requires_grad_(on));
    }

    public void backward() {
        call(() -> "backward", t -> {
            t.backward();
            return null;
        });
    }

    /**
     * {@code backward(gradient, retain_graph, create_graph)}: {@code gradient} (null for a scalar)
     * weighs this tensor's elements; the graph is kept when {@code retainGraph}, and the
     * accumulated gradients record a graph of their own when {@code createGraph}.
     */
    public void backward(NativeTensor gradient, boolean retainGraph, boolean createGraph) {
        NativeTensor[] held = {this, gradient};
        acquireAll(held);
        try (org.bytedeco.pytorch.BoolOptional retain = new org.bytedeco.pytorch.BoolOptional(retainGraph);
             org.bytedeco.pytorch.TensorArrayRefOptional all = new org.bytedeco.pytorch.TensorArrayRefOptional();
             Tensor undefined = gradient == null ? new Tensor() : null) {
            held().backward(gradient == null ? undefined : gradient.held(), retain, createGraph, all);
        } catch (RuntimeException e) {
            throw gradient == null ? fail(e, "backward[retain_graph=" + retainGraph + ", create_graph=" + createGraph + "]")
                    : fail(e, "backward[gradient, retain_graph=" + retainGraph + ", create_graph=" + createGraph + "]",
                            gradient);
        } finally {
            releaseAll(held, held.length);
        }
    }

    /** {@code retain_grad()}: a non-leaf tensor keeps its gradient in {@link #grad()} after backward. */
    public void retainGrad() {
        call(() -> "retainGrad", t -> {
            t.retain_grad();
            return null;
        });
    }

    /** Whether {@link #retainGrad()} was called on this non-leaf tensor ({@code retains_grad}). */
    public boolean retainsGrad() {
        return with(t -> t.retains_grad());
    }

    /**
     * {@code torch.autograd.grad(outputs, inputs, grad_outputs, retain_graph, create_graph,
     * allow_unused)}: the sum over {@code outputs} of their gradients (each weighed by its entry of
     * {@code gradOutputs}; null, or a null entry, for a scalar output) with respect to each input.
     * {@code retainGraph} null means {@code createGraph}. With {@code allowUnused}, an input the
     * outputs do not depend on gets null; without it, libtorch's error.
     */
    public static NativeTensor[] grad(NativeTensor[] outputs, NativeTensor[] inputs, NativeTensor[] gradOutputs,
                                      Boolean retainGraph, boolean createGraph, boolean allowUnused) {
        NativeTensor[] weights = gradOutputs == null ? new NativeTensor[0] : gradOutputs;
        acquireAll(outputs);
        try {
            acquireAll(inputs);
            try {
                acquireAll(weights);
                try {
                    return gradHeld(outputs, inputs, weights, retainGraph, createGraph, allowUnused);
                } finally {
                    releaseAll(weights, weights.length);
                }
            } finally {
                releaseAll(inputs, inputs.length);
            }
        } finally {
            releaseAll(outputs, outputs.length);
        }
    }

    private static NativeTensor[] gradHeld(NativeTensor[] outputs, NativeTensor[] inputs, NativeTensor[] weights,
                                           Boolean retainGraph, boolean createGraph, boolean allowUnused) {
        Tensor[] w = new Tensor[weights.length];
        java.util.List<Tensor> undefined = new java.util.ArrayList<>();
        for (int i = 0; i < w.length; i++) {
            if (weights[i] == null) {
                w[i] = new Tensor(); // None: libtorch's implicit 1 for a scalar output
                undefined.add(w[i]);
            } else {
                w[i] = weights[i].held();
            }
        }
        try (org.bytedeco.pytorch.TensorVector out = vector(outputs);
             org.bytedeco.pytorch.TensorVector in = vector(inputs);
             org.bytedeco.pytorch.TensorVector gw = new org.bytedeco.pytorch.TensorVector(w);
             org.bytedeco.pytorch.BoolOptional retain = retainGraph == null ? new org.bytedeco.pytorch.BoolOptional()
                     : new org.bytedeco.pytorch.BoolOptional(retainGraph);
             org.bytedeco.pytorch.TensorVector g = torch.grad(out, in, gw, retain, createGraph, allowUnused)) {
            NativeTensor[] r = new NativeTensor[inputs.length];
            try {
                for (int i = 0; i < r.length; i++) {
                    Tensor gi = g.get(i);
                    r[i] = gi.defined() ? own(new Tensor(gi)) : null;
                }
            } catch (RuntimeException | Error e) {
                for (NativeTensor t : r) {
                    if (t != null) {
                        t.close();
                    }
                }
                throw e;
            }
            return r;
        } catch (RuntimeException e) {
            throw Errors.translate(e, "autograd.grad(" + outputs.length + " output" + (outputs.length == 1 ? "" : "s") + ", "
                    + inputs.length + " input" + (inputs.length == 1 ? "" : "s") + (createGraph ? ", create_graph" : "")
                    + ")");
        } finally {
            for (Tensor t : undefined) {
                t.close();
            }
        }
    }

    /** A handle on the accumulated gradient, or null if none has been computed. */
    public NativeTensor grad() {
        return with(t -> {
            Tensor g = t.grad();
            return g.defined() ? own(new Tensor(g)) : null;
        });
    }

    /** Replaces the accumulated gradient with {@code g} (same shape, device and dtype as this tensor). */
    public void setGrad(NativeTensor g) {
        withBoth(g, (a, b) -> a.mutable_grad().put(b));
    }

    /** This handle as a try-with-resources resource. */
    public Closer closer() {
        return this::close;
    }

    /** {@link AutoCloseable} without checked exceptions. */
    public interface Closer extends AutoCloseable {
        @Override
        void close();
    }

    /** Clears the gradient (PyTorch's {@code p.grad = None}). */
    public void clearGrad() {
        with(t -> {
            try (Tensor undefined = new Tensor()) {
                return t.mutable_grad().put(undefined);
            }
        });
    }

    public NativeTensor detach() {
        return unary("detach", a -> a.detach());
    }

    /** Copies {@code src}'s values into this tensor in place, without recording autograd history. */
    public void copyFrom(NativeTensor src) {
        withBoth(src, (a, b) -> {
            try (Guards.NoGradScope g = Guards.noGrad()) {
                return a.copy_(b);
            } catch (RuntimeException e) {
                throw fail(e, "copy_", src);
            }
        });
    }

    /** Replaces this tensor's data (device/dtype moves of parameters keep their identity). */
    public void setData(NativeTensor data) {
        withBoth(data, (a, b) -> {
            try {
                a.set_data(b);
                return null;
            } catch (RuntimeException e) {
                throw fail(e, "set_data", data);
            }
        });
    }

    /**
     * Makes this handle refer to {@code other}'s TensorImpl (C++ {@code Tensor::operator=}): tied
     * parameters. Every other handle on the old impl keeps it.
     */
    public void rebind(NativeTensor other) {
        withBoth(other, (a, b) -> a.put(b));
    }

    // ---------------------------------------------------------------- nn kernels

    /**
     * {@code torch.nn.functional.cross_entropy} with class-index targets.
     *
     * @param reduction 0 none, 1 mean, 2 sum (ATen's {@code Reduction} values)
     */
    public NativeTensor crossEntropy(NativeTensor target, NativeTensor weight, int reduction, long ignoreIndex,
                                     double labelSmoothing) {
        return loss("crossEntropy", target, weight, (t, w) -> {
            if (reduction < REDUCTION_NONE || reduction > REDUCTION_SUM) {
                throw new IllegalArgumentException("reduction code " + reduction);
            }
            return torch.cross_entropy_loss(held(), t, w, reduction, ignoreIndex, labelSmoothing);
        });
    }

    /**
     * {@code torch.nn.functional.nll_loss} on log-probabilities.
     *
     * @param reduction 0 none, 1 mean, 2 sum
     */
    public NativeTensor nllLoss(NativeTensor target, NativeTensor weight, int reduction, long ignoreIndex) {
        return loss("nllLoss", target, weight, (t, w) -> torch.nll_loss(held(), t, w, reduction, ignoreIndex));
    }

    /**
     * {@code f(target, weight)}'s new tensor with this tensor, {@code target} and the optional
     * {@code weight} (null: none) held for the call; a native failure names {@code op}.
     */
    private NativeTensor loss(String op, NativeTensor target, NativeTensor weight,
                              java.util.function.BiFunction<Tensor, TensorOptional, Tensor> f) {
        return withAll(new NativeTensor[] {this, weight, target}, () -> {
            try (TensorOptional w = weight == null ? new TensorOptional() : new TensorOptional(weight.held())) {
                return own(f.apply(target.held(), w));
            } catch (RuntimeException e) {
                throw fail(e, op, target);
            }
        });
    }

    /** {@code f} with every handle of {@code ts} (nulls skipped) held for the call. */
    private static <R> R withAll(NativeTensor[] ts, java.util.function.Supplier<R> f) {
        acquireAll(ts);
        try {
            return f.get();
        } finally {
            releaseAll(ts, ts.length);
        }
    }

    /**
     * {@code torch.nn.utils.clip_grad_norm_} over the gradients of {@code params}.
     *
     * @return the total norm before clipping
     */
    public static double clipGradNorm(NativeTensor[] params, double maxNorm, double normType, boolean errorIfNonfinite) {
        return withAll(params, () -> {
            try (org.bytedeco.pytorch.TensorVector v = vector(params)) {
                return torch.clip_grad_norm_(v, maxNorm, normType, errorIfNonfinite);
            } catch (RuntimeException e) {
                throw Errors.translate(e, "clipGradNorm(maxNorm=" + maxNorm + ", normType=" + normType + ")");
            }
        });
    }

    /** Most rows of a linear's input computed as the transposed product ({@link #linear}). */
    private static final long TRANSPOSED_LINEAR_MAX_ROWS = 64;

    /** {@code x @ weight.T + bias}; bias may be null. */
    public NativeTensor linear(NativeTensor weight, NativeTensor bias) {
        return withAll(new NativeTensor[] {this, weight, bias}, () -> {
            try {
                Tensor x = held();
                if (x.dim() == 2 && x.size(0) == 1 && !torch.is_autocast_enabled(torch.DeviceType.CPU)) {
                    // one sample: the matrix-vector kernel (addmv/gemv) instead of addmm's gemm, several
                    // times faster at these sizes; same result, same autograd graph semantics. Not under
                    // CPU autocast, whose policy lowers linear but not addmv (PyTorch's Linear runs in bf16)
                    try (Tensor row = x.select(0, 0);
                         Tensor y = bias == null ? weight.held().mv(row) : torch.addmv(bias.held(), weight.held(), row)) {
                        return own(y.unsqueeze(0));
                    }
                }
                Tensor w = weight.held();
                if (x.dim() == 2 && x.size(0) <= TRANSPOSED_LINEAR_MAX_ROWS && w.dim() == 2
                        && w.numel() >= OneDnn.transposedLinearMin() && x.is_cpu() && w.is_cpu()
                        && x.scalar_type().value == torch.ScalarType.Float.value
                        && w.scalar_type().value == torch.ScalarType.Float.value
                        && !org.bytedeco.pytorch.GradMode.is_enabled()
                        && !torch.is_autocast_enabled(torch.DeviceType.CPU)) {
                    // a few rows against a large weight: (b[:, None] + W x^T)^T, in which layout OpenBLAS
                    // does not pack the whole weight per call (OneDnn.rewriteLinears); inference only
                    try (Tensor xt = x.t();
                         Tensor column = bias == null ? null : bias.held().unsqueeze(1);
                         Tensor yt = column == null ? w.mm(xt) : torch.addmm(column, w, xt);
                         Tensor y = yt.t()) {
                        return own(y.contiguous());
                    }
                }
                if (bias == null) {
                    return own(torch.linear(held(), weight.held()));
                }
                try (TensorOptional b = new TensorOptional(bias.held())) {
                    return own(torch.linear(held(), weight.held(), b));
                }
            } catch (RuntimeException e) {
                throw fail(e, "linear", weight, bias);
            }
        });
    }
}
