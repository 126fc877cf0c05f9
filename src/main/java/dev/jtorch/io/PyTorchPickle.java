package dev.jtorch.io;

import dev.jtorch.DType;
import dev.jtorch.Device;
import dev.jtorch.tensor.Shape;
import dev.jtorch.tensor.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Reads a state dict saved by {@code torch.save} (the zip format of PyTorch 1.6 and later) into
 * jtorch tensors, in pure Java: a pickle interpreter for the opcodes {@code torch.save} emits, with
 * an allowlist of the globals a state dict needs.
 *
 * <p>Allowed globals: {@code collections.OrderedDict} (its {@code _metadata} BUILD is accepted and
 * ignored), {@code torch._utils._rebuild_tensor_v2}, {@code torch._utils._rebuild_parameter},
 * {@code torch.jit._pickle.restore_type_tag} (libtorch's typed dicts: the value itself) and the
 * storage classes {@code torch.FloatStorage} ... {@code torch.BoolStorage}, referenced by the
 * persistent id {@code ('storage', type, key, location, numel)}. Any other global is refused
 * before anything is built: nothing in the file is ever executed or imported.
 *
 * <p>Tensors are contiguous copies of their views ({@code storage_offset}, size, stride) of the
 * little-endian (or, with a {@code byteorder} entry saying so, big-endian) storage bytes in
 * {@code <archive>/data/<key>}, on the CPU, with the storage's dtype, not requiring gradients.
 */
final class PyTorchPickle {
    /** A data.pkl larger than this is refused: a state dict's pickle is a few hundred bytes per tensor. */
    static final long MAX_PICKLE_BYTES = 64L << 20;

    private static final Object MARK = new Object();
    private static final Object NONE = new Object();

    /** A refusal or parse failure; the message says what is wrong (the file is prefixed by the caller). */
    static final class Refused extends Exception {
        private static final long serialVersionUID = 1L;

        Refused(String message) {
            super(message);
        }
    }

    record Global(String module, String name) {
        String qualified() {
            return module + "." + name;
        }
    }

    /** A persistent storage reference: {@code data/<key>} holds {@code numel} elements of {@code dtype}. */
    record StorageRef(DType dtype, String key, long numel) {}

    /** A tensor to be built: a view of a storage. */
    record TensorSpec(StorageRef storage, long offset, long[] size, long[] stride) {}

    /** A tuple (immutable, unlike a list). */
    record Tuple(List<Object> items) {}

    /** An {@code OrderedDict}, to tell it from a plain dict in messages. */
    static final class OrderedDict extends LinkedHashMap<Object, Object> {
        private static final long serialVersionUID = 1L;
    }

    private static final Map<String, DType> STORAGES = Map.of(
            "FloatStorage", DType.FLOAT32, "DoubleStorage", DType.FLOAT64, "HalfStorage", DType.FLOAT16,
            "BFloat16Storage", DType.BFLOAT16, "LongStorage", DType.INT64, "IntStorage", DType.INT32,
            "ShortStorage", DType.INT16, "CharStorage", DType.INT8, "ByteStorage", DType.UINT8,
            "BoolStorage", DType.BOOL);

    private final ByteBuffer in;
    private final Deque<Object> stack = new ArrayDeque<>();
    private final Deque<Deque<Object>> marks = new ArrayDeque<>();
    private final Map<Long, Object> memo = new HashMap<>();

    private PyTorchPickle(byte[] bytes) {
        this.in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    // ================================================================ the pickle

    /**
     * Interprets {@code pickle} (a data.pkl) and returns its top-level object: a {@link Map}
     * (possibly an {@link OrderedDict}) of keys to values, where tensors are {@link TensorSpec}s,
     * tuples {@link Tuple}s, lists {@link ArrayList}s, ints {@link Long}, floats {@link Double},
     * strings, booleans, and None a private sentinel.
     *
     * @throws Refused on a global outside the allowlist, an unknown opcode, a truncated or
     *     malformed stream; the message names the global or opcode and its position
     */
    static Object parse(byte[] pickle) throws Refused {
        PyTorchPickle p = new PyTorchPickle(pickle);
        try {
            return p.run();
        } catch (Refused e) {
            throw e;
        } catch (java.nio.BufferUnderflowException e) {
            throw new Refused("its pickle (data.pkl) is truncated at byte " + pickle.length);
        } catch (RuntimeException e) {
            throw new Refused("its pickle (data.pkl) is malformed near byte " + p.in.position() + ": " + e.getMessage());
        }
    }

    private Object pop() {
        if (stack.isEmpty()) {
            throw new IllegalStateException("stack underflow");
        }
        return stack.pop();
    }

    private Object peek() {
        if (stack.isEmpty()) {
            throw new IllegalStateException("stack underflow");
        }
        return stack.peek();
    }

    /** The items pushed since the last MARK, in push order; the mark is removed. */
    private List<Object> popMark() {
        if (marks.isEmpty()) {
            throw new IllegalStateException("no MARK on the stack");
        }
        List<Object> items = new ArrayList<>(stack);
        Collections.reverse(items);
        stack.clear();
        stack.addAll(marks.pop());
        return items;
    }

    private String line() {
        StringBuilder sb = new StringBuilder();
        while (true) {
            byte b = in.get();
            if (b == '\n') {
                return sb.toString();
            }
            sb.append((char) (b & 0xff));
        }
    }

    private String string(long n) {
        if (n < 0 || n > in.remaining()) {
            throw new java.nio.BufferUnderflowException();
        }
        byte[] b = new byte[(int) n];
        in.get(b);
        return new String(b, StandardCharsets.UTF_8);
    }

    private long long1() {
        int n = in.get() & 0xff;
        if (n > 8) {
            throw new IllegalStateException("integer of " + n + " bytes is too large");
        }
        if (n > in.remaining()) {
            throw new java.nio.BufferUnderflowException();
        }
        long v = 0;
        for (int i = 0; i < n; i++) {
            v |= (in.get() & 0xffL) << (8 * i);
        }
        if (n > 0 && n < 8 && (v & (1L << (8 * n - 1))) != 0) {
            v |= -1L << (8 * n); // sign-extend two's complement
        }
        return v;
    }

    private void memoPut(long key) {
        memo.put(key, peek());
    }

    private Object memoGet(long key) {
        Object o = memo.get(key);
        if (o == null) {
            throw new IllegalStateException("memo key " + key + " was never set");
        }
        return o;
    }

    private Object run() throws Refused {
        while (true) {
            int pos = in.position();
            int op = in.get() & 0xff;
            switch (op) {
                case 0x80: in.get(); break;                                          // PROTO
                case 0x95: in.getLong(); break;                                      // FRAME
                case '.':                                                             // STOP
                    if (stack.size() != 1 || !marks.isEmpty()) {
                        throw new IllegalStateException("STOP with " + stack.size() + " values on the stack");
                    }
                    return pop();
                case '(': marks.push(new ArrayDeque<>(stack)); stack.clear(); break;  // MARK
                case 'c': stack.push(global(line(), line(), pos)); break;            // GLOBAL
                case 0x93: {                                                          // STACK_GLOBAL
                    Object name = pop();
                    Object module = pop();
                    if (!(module instanceof String) || !(name instanceof String)) {
                        throw new IllegalStateException("STACK_GLOBAL of non-strings");
                    }
                    stack.push(global((String) module, (String) name, pos));
                    break;
                }
                case 'q': memoPut(in.get() & 0xff); break;                           // BINPUT
                case 'r': memoPut(in.getInt() & 0xffffffffL); break;                 // LONG_BINPUT
                case 0x94: memoPut(memo.size()); break;                              // MEMOIZE
                case 'h': stack.push(memoGet(in.get() & 0xff)); break;               // BINGET
                case 'j': stack.push(memoGet(in.getInt() & 0xffffffffL)); break;     // LONG_BINGET
                case ')': stack.push(new Tuple(List.of())); break;                   // EMPTY_TUPLE
                case 't': stack.push(new Tuple(popMark())); break;                   // TUPLE
                case 0x85: stack.push(new Tuple(List.of(pop()))); break;             // TUPLE1
                case 0x86: { Object b = pop(), a = pop(); stack.push(new Tuple(List.of(a, b))); break; }
                case 0x87: { Object c = pop(), b = pop(), a = pop(); stack.push(new Tuple(List.of(a, b, c))); break; }
                case '}': stack.push(new LinkedHashMap<>()); break;                  // EMPTY_DICT
                case ']': stack.push(new ArrayList<>()); break;                      // EMPTY_LIST
                case 'a': { Object v = pop(); list(peek()).add(v); break; }          // APPEND
                case 'e': { List<Object> items = popMark(); list(peek()).addAll(items); break; }  // APPENDS
                case 's': { Object v = pop(), k = pop(); setItems(peek(), List.of(k, v)); break; }  // SETITEM
                case 'u': { List<Object> kv = popMark(); setItems(peek(), kv); break; }             // SETITEMS
                case 'R': { Object args = pop(), f = pop(); stack.push(call(f, args, pos)); break; } // REDUCE
                case 'b': build(pop(), peek(), pos); break;                          // BUILD
                case 'Q': stack.push(persistentLoad(pop())); break;                  // BINPERSID
                case 'X': stack.push(string(in.getInt() & 0xffffffffL)); break;      // BINUNICODE
                case 0x8c: stack.push(string(in.get() & 0xff)); break;               // SHORT_BINUNICODE
                case 0x8d: stack.push(string(in.getLong())); break;                  // BINUNICODE8
                case 'J': stack.push((long) in.getInt()); break;                     // BININT
                case 'K': stack.push((long) (in.get() & 0xff)); break;               // BININT1
                case 'M': stack.push((long) (in.getShort() & 0xffff)); break;        // BININT2
                case 0x8a: stack.push(long1()); break;                               // LONG1
                case 'G': stack.push(in.order(ByteOrder.BIG_ENDIAN).getDouble()); in.order(ByteOrder.LITTLE_ENDIAN); break; // BINFLOAT
                case 'N': stack.push(NONE); break;                                   // NONE
                case 0x88: stack.push(Boolean.TRUE); break;                          // NEWTRUE
                case 0x89: stack.push(Boolean.FALSE); break;                         // NEWFALSE
                default:
                    throw new Refused("its pickle (data.pkl) uses opcode 0x" + Integer.toHexString(op) + " at byte " + pos
                            + ", which torch.save of a state dict does not emit; refused");
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object o) {
        if (!(o instanceof ArrayList)) {
            throw new IllegalStateException("APPEND to a " + typeName(o));
        }
        return (List<Object>) o;
    }

    @SuppressWarnings("unchecked")
    private static void setItems(Object target, List<Object> kv) {
        if (!(target instanceof Map) || kv.size() % 2 != 0) {
            throw new IllegalStateException("SETITEMS on a " + typeName(target));
        }
        Map<Object, Object> d = (Map<Object, Object>) target;
        for (int i = 0; i < kv.size(); i += 2) {
            d.put(kv.get(i), kv.get(i + 1));
        }
    }

    /** Resolves a GLOBAL against the allowlist; anything else is refused here, before use. */
    private static Global global(String module, String name, int pos) throws Refused {
        Global g = new Global(module, name);
        switch (g.qualified()) {
            case "collections.OrderedDict":
            case "torch._utils._rebuild_tensor_v2":
            case "torch._utils._rebuild_parameter":
            case "torch.jit._pickle.restore_type_tag":
                return g;
            default:
                if (module.equals("torch") && STORAGES.containsKey(name)) {
                    return g;
                }
                throw new Refused("its pickle references the Python global '" + g.qualified() + "' (at byte " + pos
                        + "), which is not allowed in a state dict; refused without executing anything (allowed: "
                        + "collections.OrderedDict, torch._utils._rebuild_tensor_v2, torch._utils._rebuild_parameter,"
                        + " torch.*Storage)");
        }
    }

    private static Object call(Object f, Object args, int pos) {
        if (!(f instanceof Global g)) {
            throw new IllegalStateException("REDUCE of a " + typeName(f) + ", not a global");
        }
        if (!(args instanceof Tuple t)) {
            throw new IllegalStateException("REDUCE of " + g.qualified() + " with a " + typeName(args) + " as arguments");
        }
        List<Object> a = t.items();
        switch (g.qualified()) {
            case "collections.OrderedDict":
                if (!a.isEmpty()) {
                    throw new IllegalStateException("OrderedDict called with arguments");
                }
                return new OrderedDict();
            case "torch._utils._rebuild_tensor_v2":
                // (storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])
                if (a.size() < 6 || a.size() > 7 || !(a.get(0) instanceof StorageRef s)) {
                    throw new IllegalStateException("_rebuild_tensor_v2 with unexpected arguments");
                }
                long offset = integer(a.get(1), "storage_offset");
                long[] size = longs(a.get(2), "size");
                long[] stride = longs(a.get(3), "stride");
                if (size.length != stride.length) {
                    throw new IllegalStateException("tensor size " + java.util.Arrays.toString(size)
                            + " and stride " + java.util.Arrays.toString(stride) + " differ in length");
                }
                return new TensorSpec(s, offset, size, stride);
            case "torch._utils._rebuild_parameter":
                // (data, requires_grad, backward_hooks): the data is what a state dict holds
                if (a.size() != 3 || !(a.get(0) instanceof TensorSpec)) {
                    throw new IllegalStateException("_rebuild_parameter with unexpected arguments");
                }
                return a.get(0);
            case "torch.jit._pickle.restore_type_tag":
                if (a.isEmpty()) {
                    throw new IllegalStateException("restore_type_tag without arguments");
                }
                return a.get(0);
            default:
                // storage classes are only referenced by persistent ids, never called
                throw new IllegalStateException("call of " + g.qualified() + " at byte " + pos);
        }
    }

    /** BUILD: only an OrderedDict's attribute state ({@code _metadata}) is accepted; it is ignored. */
    private static void build(Object state, Object target, int pos) {
        if (!(target instanceof OrderedDict) || !(state instanceof Map)) {
            throw new IllegalStateException("BUILD of a " + typeName(target) + " at byte " + pos);
        }
    }

    private static Object persistentLoad(Object pid) {
        if (!(pid instanceof Tuple t) || t.items().size() != 5 || !"storage".equals(t.items().get(0))) {
            throw new IllegalStateException("persistent id " + describe(pid) + " is not ('storage', type, key, location, numel)");
        }
        List<Object> a = t.items();
        if (!(a.get(1) instanceof Global g) || !g.module().equals("torch") || !STORAGES.containsKey(g.name())) {
            throw new IllegalStateException("persistent id with storage type " + describe(a.get(1)));
        }
        if (!(a.get(2) instanceof String key)) {
            throw new IllegalStateException("persistent id with a non-string key");
        }
        long numel = integer(a.get(4), "storage numel");
        return new StorageRef(STORAGES.get(g.name()), key, numel);
    }

    private static long integer(Object o, String what) {
        if (!(o instanceof Long l)) {
            throw new IllegalStateException(what + " is a " + typeName(o) + ", not an int");
        }
        return l;
    }

    private static long[] longs(Object o, String what) {
        if (!(o instanceof Tuple t)) {
            throw new IllegalStateException(what + " is a " + typeName(o) + ", not a tuple");
        }
        long[] out = new long[t.items().size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = integer(t.items().get(i), what);
            if (out[i] < 0) {
                throw new IllegalStateException(what + " has a negative entry");
            }
        }
        return out;
    }

    /** Python's name for the type of a parsed value, for messages. */
    static String typeName(Object o) {
        if (o == null || o == NONE) {
            return "None";
        } else if (o instanceof TensorSpec) {
            return "Tensor";
        } else if (o instanceof String) {
            return "str";
        } else if (o instanceof Long) {
            return "int";
        } else if (o instanceof Double) {
            return "float";
        } else if (o instanceof Boolean) {
            return "bool";
        } else if (o instanceof Tuple) {
            return "tuple";
        } else if (o instanceof OrderedDict) {
            return "OrderedDict";
        } else if (o instanceof Map) {
            return "dict";
        } else if (o instanceof List) {
            return "list";
        } else if (o instanceof Global g) {
            return g.qualified();
        } else if (o instanceof StorageRef) {
            return "storage";
        }
        return o.getClass().getSimpleName();
    }

    private static String describe(Object o) {
        return o instanceof String s ? "'" + s + "'" : typeName(o);
    }

    // ================================================================ the zip

    /**
     * Reads the torch.save zip {@code zip} (opened from {@code file}) into tensors owned by the
     * current scope, in file order.
     *
     * @throws Refused if it is not a dict of str -> tensor, references a global outside the
     *     allowlist, or its storages are missing or inconsistent
     * @throws IOException if the zip cannot be read (truncated entries, CRC errors)
     */
    static Map<String, Tensor> read(ZipFile zip, Path file) throws IOException, Refused {
        ZipEntry pkl = null;
        for (var en = zip.entries(); en.hasMoreElements(); ) {
            ZipEntry e = en.nextElement();
            String name = e.getName();
            int slash = name.indexOf('/');
            if (slash > 0 && name.indexOf('/', slash + 1) < 0 && name.endsWith("/data.pkl")) {
                pkl = e;
                break;
            }
        }
        if (pkl == null) {
            throw new Refused("is a zip without <archive>/data.pkl, so not a torch.save file");
        }
        String prefix = pkl.getName().substring(0, pkl.getName().length() - "data.pkl".length());
        Object top = parse(readEntry(zip, pkl, MAX_PICKLE_BYTES));
        if (!(top instanceof Map<?, ?> dict)) {
            throw new Refused("holds a " + typeName(top) + ", not a dict of name -> tensor");
        }
        List<String> problems = new ArrayList<>();
        Map<String, TensorSpec> specs = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : dict.entrySet()) {
            if (!(e.getKey() instanceof String k)) {
                problems.add("a key of type " + typeName(e.getKey()));
            } else if (!(e.getValue() instanceof TensorSpec t)) {
                problems.add("'" + k + "' is " + typeName(e.getValue()));
            } else {
                specs.put(k, t);
            }
        }
        if (!problems.isEmpty()) {
            throw new Refused("holds a " + typeName(top) + " with values that are not tensors: " + String.join(", ", problems));
        }
        ByteOrder order = ByteOrder.LITTLE_ENDIAN;
        ZipEntry bo = zip.getEntry(prefix + "byteorder");
        if (bo != null && new String(readEntry(zip, bo, 16), StandardCharsets.US_ASCII).trim().equals("big")) {
            order = ByteOrder.BIG_ENDIAN;
        }
        Map<String, ByteBuffer> storages = new HashMap<>();
        for (Map.Entry<String, TensorSpec> e : specs.entrySet()) {
            StorageRef s = e.getValue().storage();
            if (!storages.containsKey(s.key())) {
                ZipEntry data = zip.getEntry(prefix + "data/" + s.key());
                if (data == null) {
                    throw new Refused("tensor '" + e.getKey() + "': its storage entry " + prefix + "data/" + s.key() + " is missing");
                }
                long want = s.numel() * s.dtype().byteSize();
                if (want > Integer.MAX_VALUE - 16) {
                    throw new Refused("tensor '" + e.getKey() + "': storage of " + want + " bytes is over the 2 GiB this reader supports");
                }
                byte[] bytes = readEntry(zip, data, want);
                if (bytes.length != want) {
                    throw new Refused("tensor '" + e.getKey() + "': storage " + prefix + "data/" + s.key() + " has "
                            + bytes.length + " bytes, expected " + want + " (" + s.numel() + " x " + s.dtype() + ")");
                }
                storages.put(s.key(), ByteBuffer.wrap(bytes).order(order));
            }
        }
        for (Map.Entry<String, TensorSpec> e : specs.entrySet()) {
            checkBounds(e.getKey(), e.getValue());
        }
        Map<String, Tensor> out = new LinkedHashMap<>();
        boolean ok = false;
        try {
            for (Map.Entry<String, TensorSpec> e : specs.entrySet()) {
                TensorSpec t = e.getValue();
                out.put(e.getKey(), tensor(t, storages.get(t.storage().key())));
            }
            ok = true;
        } finally {
            if (!ok) {
                out.values().forEach(Tensor::close);
            }
        }
        return Collections.unmodifiableMap(out);
    }

    /** An entry's bytes, at most {@code max} (one more is read to notice a longer entry). */
    private static byte[] readEntry(ZipFile zip, ZipEntry e, long max) throws IOException, Refused {
        if (e.getSize() > max) {
            throw new Refused("entry " + e.getName() + " is " + e.getSize() + " bytes, more than the " + max + " expected");
        }
        try (InputStream in = zip.getInputStream(e)) {
            return in.readNBytes((int) Math.min(max + 1, Integer.MAX_VALUE - 16));
        }
    }

    private static void checkBounds(String key, TensorSpec t) throws Refused {
        long numel = 1;
        long last = t.offset();
        for (int d = 0; d < t.size().length; d++) {
            numel = Math.multiplyExact(numel, t.size()[d]);
            if (t.size()[d] > 0) {
                last = Math.addExact(last, Math.multiplyExact(t.size()[d] - 1, t.stride()[d]));
            }
        }
        if (numel > Integer.MAX_VALUE - 16) {
            throw new Refused("tensor '" + key + "' has " + numel + " elements, more than this reader supports");
        }
        if (numel > 0 && (t.offset() < 0 || last >= t.storage().numel())) {
            throw new Refused("tensor '" + key + "' (size " + java.util.Arrays.toString(t.size()) + ", stride "
                    + java.util.Arrays.toString(t.stride()) + ", offset " + t.offset() + ") reaches past its storage of "
                    + t.storage().numel() + " elements");
        }
    }

    /** The storage index of each element of {@code t}, in row-major order. */
    private static int[] indices(TensorSpec t) {
        long numel = 1;
        for (long s : t.size()) {
            numel *= s;
        }
        int[] idx = new int[(int) numel];
        int nd = t.size().length;
        long[] pos = new long[nd];
        long cur = t.offset();
        for (int i = 0; i < idx.length; i++) {
            idx[i] = (int) cur;
            for (int d = nd - 1; d >= 0; d--) { // odometer increment
                if (++pos[d] < t.size()[d]) {
                    cur += t.stride()[d];
                    break;
                }
                cur -= (pos[d] - 1) * t.stride()[d];
                pos[d] = 0;
            }
        }
        return idx;
    }

    private static Tensor tensor(TensorSpec t, ByteBuffer b) {
        int[] idx = indices(t);
        Shape shape = Shape.of(t.size());
        DType dtype = t.storage().dtype();
        int n = idx.length;
        switch (dtype) {
            case FLOAT32: {
                float[] v = new float[n];
                for (int i = 0; i < n; i++) {
                    v[i] = b.getFloat(idx[i] * 4);
                }
                return Tensor.of(v, shape, dtype, Device.CPU);
            }
            case FLOAT64: {
                double[] v = new double[n];
                for (int i = 0; i < n; i++) {
                    v[i] = b.getDouble(idx[i] * 8);
                }
                return Tensor.of(v, shape, dtype, Device.CPU);
            }
            case FLOAT16: { // widening is exact, and so is the narrowing back to float16
                float[] v = new float[n];
                for (int i = 0; i < n; i++) {
                    v[i] = halfToFloat(b.getShort(idx[i] * 2));
                }
                return Tensor.of(v, shape, dtype, Device.CPU);
            }
            case BFLOAT16: { // bfloat16 is the top half of a float32
                float[] v = new float[n];
                for (int i = 0; i < n; i++) {
                    v[i] = Float.intBitsToFloat((b.getShort(idx[i] * 2) & 0xffff) << 16);
                }
                return Tensor.of(v, shape, dtype, Device.CPU);
            }
            case INT64: case INT32: case INT16: case INT8: {
                long[] v = new long[n];
                for (int i = 0; i < n; i++) {
                    v[i] = switch (dtype) {
                        case INT64 -> b.getLong(idx[i] * 8);
                        case INT32 -> b.getInt(idx[i] * 4);
                        case INT16 -> b.getShort(idx[i] * 2);
                        default -> b.get(idx[i]);
                    };
                }
                return Tensor.of(v, shape, dtype, Device.CPU);
            }
            case UINT8: {
                byte[] v = new byte[n];
                for (int i = 0; i < n; i++) {
                    v[i] = b.get(idx[i]);
                }
                return Tensor.ofUnsigned(v, t.size().clone());
            }
            case BOOL: {
                boolean[] v = new boolean[n];
                for (int i = 0; i < n; i++) {
                    v[i] = b.get(idx[i]) != 0;
                }
                return Tensor.of(v, t.size().clone());
            }
            default:
                throw new IllegalStateException("unhandled dtype " + dtype);
        }
    }

    /** IEEE binary16 bits to float (Java 17 has no Float.float16ToFloat). */
    static float halfToFloat(short bits) {
        int h = bits & 0xffff;
        int sign = (h >>> 15) << 31;
        int exp = (h >>> 10) & 0x1f;
        int mant = h & 0x3ff;
        if (exp == 0x1f) { // inf / NaN
            return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
        }
        if (exp == 0) { // zero / subnormal: mant * 2^-24
            float f = mant * 0x1p-24f;
            return sign != 0 ? -f : f;
        }
        return Float.intBitsToFloat(sign | ((exp - 15 + 127) << 23) | (mant << 13));
    }
}
