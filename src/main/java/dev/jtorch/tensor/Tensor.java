package dev.jtorch.tensor;

import dev.jtorch.DType;
import dev.jtorch.Device;
import dev.jtorch.MemoryFormat;
import dev.jtorch.internal.NativeTensor;
import dev.jtorch.internal.NativeTensor.Arith;
import dev.jtorch.tensor.access.TensorAccess;
import java.util.List;
import java.util.Locale;

/**
 * An n-dimensional array in libtorch's memory, on the CPU or a CUDA device, with autograd.
 *
 * <p><b>Ownership.</b> Every op returns a new tensor owned by the current thread's innermost
 * {@link TensorScope}; with no scope open, ops throw {@link IllegalStateException} instead of
 * leaking. {@link TensorScope#keep} moves a tensor out of its scope; a tensor kept out of the
 * outermost scope belongs to the caller and must be {@link #close() closed}. Parameters and
 * buffers belong to their module and are freed by the module's {@code close()}. Using a freed
 * tensor throws {@link IllegalStateException}; it never reaches native code.
 *
 * <p><b>Threads.</b> A tensor may be read from several threads (the results of ops go to each
 * thread's own scope); closing it while another thread uses it is a caller error.
 *
 * <p><b>Devices.</b> Ops run on the device of their inputs; mixing devices is a
 * {@link dev.jtorch.TorchException}, as in PyTorch. {@link #to(Device)} copies across devices.
 */
public final class Tensor extends TensorOps implements AutoCloseable {
    static {
        TensorAccess.install(new Access());
    }

    private static final long[] SCALAR = new long[0];
    private static final int PRINT_LIMIT = 64;

    private final NativeTensor h;
    /** The scope that frees this tensor; null when the caller or a module owns it. */
    TensorScope owner;
    /** Non-null when a module or optimizer owns this tensor (its description, e.g. "fc1.weight"). */
    private final String longLivedOwner;

    private Tensor(NativeTensor h, String longLivedOwner) {
        this.h = h;
        this.longLivedOwner = longLivedOwner;
        h.track(this);
    }

    static Tensor scoped(NativeTensor h, String op) {
        TensorScope s = TensorScope.current();
        if (s == null) {
            h.close();
            throw new IllegalStateException(op + ": no TensorScope is open on thread "
                    + Thread.currentThread().getName() + ". Wrap tensor code in"
                    + " try (TensorScope s = TensorScope.open()) { ... } and keep() what must outlive it.");
        }
        Tensor t = new Tensor(h, null);
        s.adopt(t);
        return t;
    }

    static Tensor[] scoped(NativeTensor[] hs, String op) {
        Tensor[] out = new Tensor[hs.length];
        try {
            for (int i = 0; i < hs.length; i++) {
                out[i] = scoped(hs[i], op);
            }
        } catch (IllegalStateException e) {
            for (NativeTensor x : hs) {
                x.close();
            }
            throw e;
        }
        return out;
    }

    NativeTensor h() {
        return h;
    }

    /** The live handle; throws if this tensor was closed. */
    NativeTensor handle() {
        if (h.isClosed()) {
            throw new IllegalStateException("tensor used after close()");
        }
        return h;
    }

    // ================================================================= factories
    // zeros, ones, rand and randn of a long... size (float32, CPU) are generated (TensorOps, from
    // src/generator/resources/tensor_fast_paths.tsv) as calls of the full forms here.

    /** Zeros of the given shape, dtype and device. */
    public static Tensor zeros(Shape shape, DType dtype, Device device) {
        return scoped(NativeTensor.zeros(shape.toArray(), dtype, device), "zeros");
    }

    /** Ones of the given shape, dtype and device. */
    public static Tensor ones(Shape shape, DType dtype, Device device) {
        return scoped(NativeTensor.ones(shape.toArray(), dtype, device), "ones");
    }

    /** A float32 CPU tensor filled with {@code value}. */
    public static Tensor full(Shape shape, double value) {
        return full(shape, value, DType.FLOAT32, Device.CPU);
    }

    /** A tensor filled with {@code value}. */
    public static Tensor full(Shape shape, double value, DType dtype, Device device) {
        return scoped(NativeTensor.full(shape.toArray(), value, dtype, device), "full");
    }

    /** A 0-dimensional float32 CPU tensor holding {@code value}. */
    public static Tensor scalar(double value) {
        return scoped(NativeTensor.full(SCALAR, value, DType.FLOAT32, Device.CPU), "scalar");
    }

    /** {@code torch.tensor(value)} for a Python float: a 0-dimensional float32 CPU tensor. */
    public static Tensor tensor(double value) {
        return scalar(value);
    }

    /** {@code torch.tensor(value)} for a Python int: a 0-dimensional int64 CPU tensor, exact for every long. */
    public static Tensor tensor(long value) {
        return of(new long[] {value});
    }

    /** {@code torch.tensor(value)} for a Python bool: a 0-dimensional bool CPU tensor. */
    public static Tensor tensor(boolean value) {
        return of(new boolean[] {value});
    }

    /** Samples from U[0, 1). */
    public static Tensor rand(Shape shape, DType dtype, Device device) {
        return scoped(NativeTensor.rand(shape.toArray(), dtype, device), "rand");
    }

    /** Samples from N(0, 1). */
    public static Tensor randn(Shape shape, DType dtype, Device device) {
        return scoped(NativeTensor.randn(shape.toArray(), dtype, device), "randn");
    }

    /** int64 CPU values {@code 0, 1, ..., end - 1}. */
    public static Tensor arange(long end) {
        return arange(0, end, 1, DType.INT64, Device.CPU);
    }

    /** Values from {@code start} (inclusive) to {@code end} (exclusive) by {@code step}. */
    public static Tensor arange(double start, double end, double step, DType dtype, Device device) {
        return scoped(NativeTensor.arange(start, end, step, dtype, device), "arange");
    }

    /**
     * A float32 CPU tensor holding a copy of {@code data} (row-major).
     *
     * @throws IllegalArgumentException if {@code data.length} does not match the shape
     */
    public static Tensor of(float[] data, long... shape) {
        return of(data, Shape.of(shape), DType.FLOAT32, Device.CPU);
    }

    /** A copy of {@code data}, converted to {@code dtype} (e.g. float16) on {@code device}. */
    public static Tensor of(float[] data, Shape shape, DType dtype, Device device) {
        return scoped(NativeTensor.of(data, shape.toArray(), dtype, device), "tensor(float[])");
    }

    /** A float64 CPU tensor holding a copy of {@code data}. */
    public static Tensor of(double[] data, long... shape) {
        return of(data, Shape.of(shape), DType.FLOAT64, Device.CPU);
    }

    /** A copy of {@code data}, converted to {@code dtype} on {@code device}. */
    public static Tensor of(double[] data, Shape shape, DType dtype, Device device) {
        return scoped(NativeTensor.of(data, shape.toArray(), dtype, device), "tensor(double[])");
    }

    /** An int64 CPU tensor holding a copy of {@code data} (class indices, for instance). */
    public static Tensor of(long[] data, long... shape) {
        return of(data, Shape.of(shape), DType.INT64, Device.CPU);
    }

    /** A copy of {@code data}, converted to {@code dtype} on {@code device}. */
    public static Tensor of(long[] data, Shape shape, DType dtype, Device device) {
        return scoped(NativeTensor.of(data, shape.toArray(), dtype, device), "tensor(long[])");
    }

    /** An int32 CPU tensor holding a copy of {@code data}. */
    public static Tensor of(int[] data, long... shape) {
        return scoped(NativeTensor.of(data, shape.clone(), DType.INT32, Device.CPU), "tensor(int[])");
    }

    /** A bool CPU tensor holding a copy of {@code data}. */
    public static Tensor of(boolean[] data, long... shape) {
        return scoped(NativeTensor.of(data, shape.clone(), Device.CPU), "tensor(boolean[])");
    }

    /** A uint8 CPU tensor holding a copy of {@code data}, each byte read as 0..255 (pixels). */
    public static Tensor ofUnsigned(byte[] data, long... shape) {
        return scoped(NativeTensor.ofUnsigned(data, shape.clone(), DType.UINT8, Device.CPU), "tensor(byte[])");
    }

    // ================================================================= metadata

    /** The sizes of the dimensions. */
    public Shape shape() {
        return Shape.wrap(h.shape());
    }

    /**
     * The step in elements between neighbours along each dimension, outermost first (PyTorch's
     * {@code stride()}): {@code [C*H*W, H*W, W, 1]} for a contiguous {@code [N, C, H, W]} tensor,
     * {@code [H*W*C, 1, W*C, C]} for a channels-last one.
     */
    public long[] stride() {
        return h.strides();
    }

    /** Number of dimensions. */
    public int dim() {
        return h.dim();
    }

    /** Size of dimension {@code d}; negative counts from the end. */
    public long size(int d) {
        return h.size(d);
    }

    /** Number of elements. */
    public long numel() {
        return h.numel();
    }

    /** Whether the elements lie in memory in row-major order without gaps ({@code is_contiguous()}). */
    public boolean isContiguous() {
        return h.isContiguous();
    }

    /**
     * Whether the elements lie densely in {@code format}'s order ({@code is_contiguous(memory_format=...)}):
     * {@link MemoryFormat#CHANNELS_LAST} asks for a 4-D tensor stored as NHWC, and is false for any
     * other rank. {@link MemoryFormat#PRESERVE} is answered as {@link MemoryFormat#CONTIGUOUS}, as libtorch does.
     */
    public boolean isContiguous(MemoryFormat format) {
        return h.isContiguous(java.util.Objects.requireNonNull(format, "format"));
    }

    /**
     * The layout this tensor's strides suggest ({@code suggest_memory_format()}): {@link MemoryFormat#CHANNELS_LAST}
     * for a 4-D tensor stored as NHWC, {@link MemoryFormat#CHANNELS_LAST_3D} for a 5-D one stored as NDHWC,
     * otherwise {@link MemoryFormat#CONTIGUOUS}.
     */
    public MemoryFormat suggestMemoryFormat() {
        return h.suggestMemoryFormat();
    }

    /** The element type. */
    public DType dtype() {
        return h.dtype();
    }

    /** The device holding the data. */
    public Device device() {
        return h.device();
    }

    /** PyTorch's {@code get_device()}: the CUDA device index, or -1 for a CPU tensor. */
    public long getDevice() {
        Device d = device();
        return d.isCuda() ? d.index() : -1;
    }

    // ================================================================= back to Java

    /** A copy of the elements, row-major, as float (any dtype, any device). */
    public float[] toFloatArray() {
        return h.toFloats();
    }

    /** A copy of the elements, row-major, as double. */
    public double[] toDoubleArray() {
        return h.toDoubles();
    }

    /** A copy of the elements, row-major, as long (floats truncate toward zero). */
    public long[] toLongArray() {
        return h.toLongs();
    }

    /** A copy of the elements, row-major, as int. */
    public int[] toIntArray() {
        return h.toInts();
    }

    /** A copy of the elements, row-major, as booleans (non-zero is true). */
    public boolean[] toBooleanArray() {
        return h.toBooleans();
    }

    /**
     * The value of a one-element tensor, as double (PyTorch's {@code item()}).
     *
     * @throws dev.jtorch.TorchException if the tensor has more than one element
     */
    public double item() {
        return h.item();
    }

    /** The value of a one-element tensor, as long (class indices, counts). */
    public long itemLong() {
        return h.itemLong();
    }

    // ================================================================= arithmetic

    /**
     * Adds {@code alpha * other} to this tensor in place, as PyTorch's {@code add_}; returns this.
     *
     * <p>{@code other} broadcasts to this tensor's shape and is cast to its dtype; nothing is
     * allocated, and on CUDA nothing waits for the device (running sums stay on the device until
     * read). Like PyTorch, autograd refuses it on a leaf that requires grad unless grad mode is
     * off ({@code NoGrad}).
     *
     * @throws dev.jtorch.TorchException if {@code other} does not broadcast to this shape, cannot
     *     be cast to this dtype, or lives on another device
     */
    public Tensor add_(Tensor other, double alpha) {
        h.addInPlace(other.handle(), alpha);
        return this;
    }

    /** {@code this += alpha * other} in place with an integer {@code alpha}; see {@link #add_(Tensor, double)}. */
    @Override
    public Tensor add_(Tensor other, long alpha) {
        h.addInPlace(other.handle(), alpha);
        return this;
    }

    /** {@code this += other} in place; see {@link #add_(Tensor, double)}. */
    public Tensor add_(Tensor other) {
        return add_(other, 1);
    }

    // add, sub, mul and div of a tensor, a double or a long are generated (TensorOps, from
    // src/generator/resources/tensor_fast_paths.tsv) as calls of these typed fast paths.

    Tensor arith(Arith op, Tensor other) {
        return scoped(h.arith(op, other.h), op.op());
    }

    Tensor arith(Arith op, Number value) {
        return scoped(h.arith(op, value), op.op());
    }

    /** Matrix product with PyTorch's {@code matmul} broadcasting rules. */
    public Tensor matmul(Tensor other) {
        return scoped(h.matmul(other.h), "matmul");
    }

    // ================================================================= shape

    // Typed fast paths for the per-step ops of training loops; they override the generated
    // methods of the same signature (same results, no boxed dispatcher call).

    @Override
    public Tensor view(long... size) {
        return scoped(h.view(size), "view");
    }

    @Override
    public Tensor argmax(long dim) {
        return scoped(h.argmax(dim), "argmax");
    }

    @Override
    public Tensor eq(Tensor other) {
        return scoped(h.eq(other.handle()), "eq");
    }

    @Override
    public Tensor sum() {
        return scoped(h.sum(), "sum");
    }

    /** {@link #clone()}: a copy with its own storage; autograd history is kept, as in PyTorch. */
    public Tensor copy() {
        return clone();
    }

    private static NativeTensor[] handles(java.util.List<Tensor> ts, String op) {
        if (ts.isEmpty()) {
            throw new IllegalArgumentException(op + " needs at least one tensor");
        }
        NativeTensor[] hs = new NativeTensor[ts.size()];
        for (int i = 0; i < hs.length; i++) {
            hs[i] = ts.get(i).h;
        }
        return hs;
    }

    /** {@code torch.where}: elements of {@code a} where {@code condition} holds, else of {@code b}. */
    public static Tensor where(Tensor condition, Tensor a, Tensor b) {
        return a.where(condition, b);
    }

    /**
     * Counts of each value of this 1-D non-negative integer tensor ({@code torch.bincount}), at
     * least {@code minlength} bins; runs on the tensor's device.
     */
    public Tensor bincount(long minlength) {
        return bincount((Tensor) null, minlength);
    }

    // ================================================================= reductions


    // ================================================================= conversion

    /** This tensor on {@code device} (a copy unless it is already there). */
    public Tensor to(Device device) {
        return scoped(h.to(device, h.dtype()), "to");
    }

    /** This tensor converted to {@code dtype} (a copy unless it already is). */
    public Tensor to(DType dtype) {
        return scoped(h.to(h.device(), dtype), "to");
    }

    /** This tensor on {@code device} as {@code dtype}. */
    public Tensor to(Device device, DType dtype) {
        return scoped(h.to(device, dtype), "to");
    }

    /**
     * This tensor stored in {@code format} ({@code x.to(memory_format=...)}): a copy unless it already
     * is; {@link MemoryFormat#PRESERVE} keeps it as it is. Same shape, values and autograd history.
     *
     * @throws dev.jtorch.TorchException if the format needs another rank ({@code CHANNELS_LAST}: 4-D)
     */
    public Tensor to(MemoryFormat format) {
        java.util.Objects.requireNonNull(format, "format");
        return format == MemoryFormat.PRESERVE ? scoped(h.to(h.device(), h.dtype()), "to")
                : scoped(h.contiguous(format), "to");
    }

    // ================================================================= autograd

    /** Whether autograd records ops on this tensor. */
    public boolean requiresGrad() {
        return h.requiresGrad();
    }

    /**
     * Turns gradient recording on or off for this leaf tensor, in place.
     *
     * @return this tensor
     */
    public Tensor requiresGrad(boolean on) {
        h.setRequiresGrad(on);
        return this;
    }

    /** Back-propagates from this scalar, accumulating into the leaves' {@link #grad()}. */
    public void backward() {
        h.backward();
    }

    /**
     * {@code backward(gradient)}: back-propagates from this tensor of any shape, each element
     * weighed by {@code gradient}'s (same shape; null for a scalar); the graph is freed.
     *
     * @throws dev.jtorch.TorchException if {@code gradient}'s shape differs or nothing requires grad
     */
    public void backward(Tensor gradient) {
        backward(gradient, false, false);
    }

    /**
     * {@code backward(gradient, retain_graph, create_graph)}. {@code retainGraph} keeps the graph for
     * another backward through it. {@code createGraph} records the gradient computation itself, so
     * the accumulated {@link #grad()}s can be differentiated again (higher-order gradients); as in
     * PyTorch, a parameter's gradient then references its own graph until it is reset
     * ({@code zeroGrad}), which {@link dev.jtorch.autograd.Autograd#grad} avoids.
     *
     * @param gradient same shape as this tensor; null for a scalar
     * @throws dev.jtorch.TorchException if {@code gradient}'s shape differs, nothing requires grad, or the
     *     graph was already freed by an earlier backward
     */
    public void backward(Tensor gradient, boolean retainGraph, boolean createGraph) {
        h.backward(gradient == null ? null : gradient.h, retainGraph, createGraph);
    }

    /**
     * {@code retain_grad()}: this non-leaf tensor keeps its gradient in {@link #grad()} after the
     * next backward (leaves always do). No effect on a leaf.
     *
     * @return this tensor
     * @throws dev.jtorch.TorchException if this tensor does not require grad
     */
    public Tensor retainGrad() {
        h.retainGrad();
        return this;
    }

    /** Whether {@link #retainGrad()} was called on this non-leaf tensor ({@code retains_grad}). */
    public boolean retainsGrad() {
        return h.retainsGrad();
    }

    /** The accumulated gradient (a scoped handle on it), or null if there is none yet. */
    public Tensor grad() {
        NativeTensor g = h.grad();
        return g == null ? null : scoped(g, "grad");
    }

    /**
     * Replaces the accumulated gradient, as PyTorch's {@code x.grad = g}; null clears it
     * ({@code x.grad = None}), which also drops a graph that {@code backward(..., createGraph)} left
     * in it.
     *
     * @param g same shape, dtype and device as this tensor, or null
     * @throws IllegalArgumentException if {@code g}'s shape, dtype or device differs from this tensor's
     */
    public void setGrad(Tensor g) {
        if (g == null) {
            h.clearGrad();
            return;
        }
        if (!g.shape().equals(shape()) || g.dtype() != dtype() || !g.device().equals(device())) {
            throw new IllegalArgumentException("setGrad: the gradient is " + g.shape() + " " + g.dtype() + " on "
                    + g.device() + ", the tensor " + shape() + " " + dtype() + " on " + device()
                    + " (they must match, as x.grad = g in PyTorch)");
        }
        h.setGrad(g.h);
    }

    /** The same data cut off from the autograd graph (shares storage). */
    public Tensor detach() {
        return scoped(h.detach(), "detach");
    }

    /** Whether this is a leaf of the autograd graph. */
    public boolean isLeaf() {
        return h.isLeaf();
    }

    // ================================================================= lifetime

    /** Whether this tensor has been freed. */
    public boolean isClosed() {
        return h.isClosed();
    }

    /**
     * Frees the native tensor now; idempotent. A scoped tensor may be closed early; its scope then
     * skips it.
     *
     * @throws IllegalStateException if a module or optimizer owns this tensor
     */
    @Override
    public void close() {
        if (longLivedOwner != null) {
            throw new IllegalStateException("tensor " + longLivedOwner + " belongs to its module; close the module instead");
        }
        h.close();
    }

    void free() {
        h.close();
    }

    /**
     * Frees {@code items[0..size)} newest first, clearing the slots, for the owners' close; every
     * tensor is freed even if one fails, and the first failure is returned (null if none).
     */
    static RuntimeException freeAll(Tensor[] items, int size) {
        RuntimeException first = null;
        for (int i = size - 1; i >= 0; i--) {
            Tensor t = items[i];
            if (t == null) {
                continue;
            }
            items[i] = null;
            try {
                t.free();
            } catch (RuntimeException e) {
                if (first == null) {
                    first = e;
                }
            }
        }
        return first;
    }

    /**
     * {@code tensor([...], shape=[..], dtype=.., device=..)}; values are printed when there are at
     * most 64 of them. Needs no open scope; never throws.
     */
    @Override
    public String toString() {
        if (h.isClosed()) {
            return "tensor(<closed>)";
        }
        try {
            long[] shape = h.shape();
            StringBuilder sb = new StringBuilder("tensor(");
            long n = h.numel();
            if (n <= PRINT_LIMIT) {
                appendValues(sb, shape, 0, new int[] {0}, elements(h.dtype()));
                sb.append(", ");
            }
            sb.append("shape=").append(java.util.Arrays.toString(shape))
              .append(", dtype=").append(h.dtype())
              .append(", device=").append(h.device());
            if (h.requiresGrad()) {
                sb.append(", requires_grad=true");
            }
            return sb.append(')').toString();
        } catch (RuntimeException e) {
            return "tensor(<unprintable: " + e.getMessage() + ">)";
        }
    }

    private String[] elements(DType t) {
        String[] out;
        if (t.isFloatingPoint()) {
            double[] v = h.toDoubles();
            out = new String[v.length];
            for (int i = 0; i < v.length; i++) {
                out[i] = String.format(Locale.ROOT, "%.4f", v[i]);
            }
        } else if (t == DType.BOOL) {
            boolean[] v = h.toBooleans();
            out = new String[v.length];
            for (int i = 0; i < v.length; i++) {
                out[i] = v[i] ? "true" : "false";
            }
        } else {
            long[] v = h.toLongs();
            out = new String[v.length];
            for (int i = 0; i < v.length; i++) {
                out[i] = Long.toString(v[i]);
            }
        }
        return out;
    }

    private static void appendValues(StringBuilder sb, long[] shape, int d, int[] pos, String[] values) {
        if (d == shape.length) {
            sb.append(values[pos[0]++]);
            return;
        }
        sb.append('[');
        for (long i = 0; i < shape[d]; i++) {
            if (i > 0) {
                sb.append(", ");
            }
            appendValues(sb, shape, d + 1, pos, values);
        }
        sb.append(']');
    }

    // ================================================================= Python-level ops
    // PyTorch writes these in Python over other operators; the generator cannot see them.

    private static final Ops.Op UNIQUE2 = Ops.of("aten::_unique2");
    private static final Ops.Op UNIQUE_DIM = Ops.of("aten::unique_dim");
    private static final Ops.Op UNIQUE_CONSECUTIVE = Ops.of("aten::unique_consecutive");

    /** {@code x.half()}: a float16 copy ({@code to(DType.FLOAT16)}). */
    public Tensor half() {
        return to(DType.FLOAT16);
    }

    /** {@code x.bfloat16()}: a bfloat16 copy. */
    public Tensor bfloat16() {
        return to(DType.BFLOAT16);
    }

    /** {@code x.mT}: the transpose of the last two dimensions. */
    public Tensor mT() {
        return transpose(-2L, -1L);
    }

    /**
     * {@code x.norm(p)} with a matrix-norm name: {@code "fro"} (Frobenius, over all elements, or
     * {@code dim}) or {@code "nuc"} (nuclear, of the last two dimensions or {@code dim}).
     *
     * @throws IllegalArgumentException for another name
     */
    public Tensor norm(String p, long[] dim, boolean keepdim) {
        switch (p) {
            case "fro":
                return Linalg.vectorNorm(this, 2.0, dim, keepdim);
            case "nuc":
                return Linalg.matrixNorm(this, "nuc", dim == null ? new long[] {-2, -1} : dim, keepdim);
            default:
                throw new IllegalArgumentException("norm: p must be a number, \"fro\" or \"nuc\", got \"" + p + "\"");
        }
    }

    /** {@code x.norm("fro")} or {@code x.norm("nuc")} over the whole tensor (its last two dimensions for nuc). */
    public Tensor norm(String p) {
        return norm(p, null, false);
    }

    /**
     * {@code torch.tensordot(a, b, dims)}: contracts the last {@code dims} dimensions of {@code a}
     * with the first {@code dims} of {@code b}.
     */
    public static Tensor tensordot(Tensor a, Tensor b, long dims) {
        if (dims < 0 || dims > a.dim() || dims > b.dim()) {
            throw new IllegalArgumentException("tensordot: dims " + dims + " does not fit shapes " + a.shape()
                    + " and " + b.shape());
        }
        long[] da = new long[(int) dims];
        long[] db = new long[(int) dims];
        for (int i = 0; i < dims; i++) {
            da[i] = a.dim() - dims + i;
            db[i] = i;
        }
        return tensordot(a, b, da, db);
    }

    /** {@code x.unique()}: the sorted distinct values, flattened. */
    public Tensor unique() {
        return UNIQUE2.tuple(this, true, false, false)[0];
    }

    /**
     * {@code x.unique(sorted, return_inverse, return_counts, dim)}: the distinct values (of the
     * flattened tensor, or slices along {@code dim} when not null), then the inverse indices and
     * the counts; the list holds the values and whichever of those two were asked for, in that
     * order, as PyTorch's tuple.
     */
    public List<Tensor> unique(boolean sorted, boolean returnInverse, boolean returnCounts, Long dim) {
        Tensor[] r = dim == null ? UNIQUE2.tuple(this, sorted, returnInverse, returnCounts)
                : UNIQUE_DIM.tuple(this, dim, sorted, returnInverse, returnCounts);
        return pick(r, returnInverse, returnCounts);
    }

    /** {@code x.unique_consecutive()}: collapses runs of equal values (flattened). */
    public Tensor uniqueConsecutive() {
        return UNIQUE_CONSECUTIVE.tuple(this, false, false)[0];
    }

    /**
     * {@code x.unique_consecutive(return_inverse, return_counts, dim)}: the values, then the inverse
     * indices and counts that were asked for, as PyTorch's tuple.
     */
    public List<Tensor> uniqueConsecutive(boolean returnInverse, boolean returnCounts, Long dim) {
        return pick(UNIQUE_CONSECUTIVE.tuple(this, returnInverse, returnCounts, dim), returnInverse, returnCounts);
    }

    /**
     * {@code torch.cdist(x1, x2, p, compute_mode)} with PyTorch's mode names:
     * {@code "use_mm_for_euclid_dist_if_necessary"}, {@code "use_mm_for_euclid_dist"},
     * {@code "donot_use_mm_for_euclid_dist"}.
     *
     * @throws IllegalArgumentException for another mode name
     */
    public static Tensor cdist(Tensor x1, Tensor x2, double p, String computeMode) {
        Long mode;
        switch (computeMode) {
            case "use_mm_for_euclid_dist_if_necessary": mode = null; break;
            case "use_mm_for_euclid_dist": mode = 1L; break;
            case "donot_use_mm_for_euclid_dist": mode = 2L; break;
            default: throw new IllegalArgumentException("cdist: unknown compute_mode \"" + computeMode + "\"");
        }
        return cdist(x1, x2, p, mode);
    }

    /**
     * {@code torch.broadcast_shapes(*shapes)}: the shape the given shapes broadcast to.
     *
     * @throws IllegalArgumentException naming the shapes if they do not broadcast
     */
    public static long[] broadcastShapes(long[]... shapes) {
        int rank = 0;
        for (long[] s : shapes) {
            rank = Math.max(rank, s.length);
        }
        long[] out = new long[rank];
        java.util.Arrays.fill(out, 1);
        for (long[] s : shapes) {
            for (int i = 0; i < s.length; i++) {
                int j = rank - s.length + i;
                if (s[i] < 0) {
                    throw new IllegalArgumentException("broadcast_shapes: negative size in " + java.util.Arrays.toString(s));
                }
                if (out[j] == 1) {
                    out[j] = s[i];
                } else if (s[i] != 1 && s[i] != out[j]) {
                    StringBuilder all = new StringBuilder();
                    for (long[] x : shapes) {
                        all.append(java.util.Arrays.toString(x)).append(' ');
                    }
                    throw new IllegalArgumentException("broadcast_shapes: shapes " + all.toString().trim()
                            + " do not broadcast (dimension " + j + ": " + out[j] + " vs " + s[i] + ")");
                }
            }
        }
        return out;
    }

    private static List<Tensor> pick(Tensor[] r, boolean inverse, boolean counts) {
        List<Tensor> out = new java.util.ArrayList<>(3);
        out.add(r[0]);
        if (inverse) {
            out.add(r[1]);
        }
        if (counts) {
            out.add(r[2]);
        }
        return java.util.Collections.unmodifiableList(out);
    }

    /** jtorch's packages reach the handle through this; see {@link TensorAccess}. */
    private static final class Access implements TensorAccess.Impl {
        @Override
        public NativeTensor handle(Tensor t) {
            if (t.h.isClosed()) {
                throw new IllegalStateException("tensor used after close()");
            }
            return t.h;
        }

        @Override
        public Tensor scoped(NativeTensor h, String op) {
            return Tensor.scoped(h, op);
        }

        @Override
        public Tensor owned(NativeTensor h, TensorOwner owner, String description) {
            Tensor t = new Tensor(h, description);
            owner.addNew(t);
            return t;
        }
    }

    /** The explicit owner holding this tensor, or null; see {@link TensorOwner}. */
    TensorOwner keeper;

    /** Whether a module (or another jtorch object) owns this tensor, so that its own close() throws. */
    boolean isModuleOwned() {
        return longLivedOwner != null;
    }
}
