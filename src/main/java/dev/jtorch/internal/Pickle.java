package dev.jtorch.internal;

import dev.jtorch.DType;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * jtorch's one pickle machine: interprets the pickle opcodes that {@code torch.save}, libtorch's
 * pickler and protocol 2-4 streams use, building plain Java values, and never imports or runs
 * anything. What a global may be is decided by a {@link Policy}: a state dict allows only the
 * tensor-rebuilding globals, the format probe lets everything else become an opaque value, an
 * optimizer archive allows libtorch's attribute-only {@code __torch__} module objects.
 *
 * <p><b>Bounded work.</b> Every opcode does constant work apart from the ones that gather the
 * items above a MARK, and those items are consumed, so the run is linear in the input. The stack
 * is one array with mark positions (copying the stack at each MARK made a few kB quadratic).
 * Every value pushed and every memo entry counts against {@link #MAX_VALUES}, so memory is
 * bounded whatever the input does with the stack and the memo. Dict keys must be scalars (str, int, float, bool, None): hashing a tuple
 * key recurses, and a key built from the memo can be exponentially large or contain itself.
 * Nothing here recurses over values, so self-referencing containers are harmless.
 *
 * <p>Values: {@code None} is {@link #NONE}; ints are {@link Long}; floats {@link Double}; str
 * {@link String}; tuples {@link Tuple}; lists {@link ArrayList}; dicts {@link LinkedHashMap}
 * ({@link OrderedDict} for {@code collections.OrderedDict}); tensors {@link TensorSpec}; other
 * objects, under a lenient policy, {@link Opaque}.
 */
public final class Pickle {
    /** Pickles larger than this are refused: a state dict's pickle is about 100 bytes per tensor. */
    public static final int MAX_BYTES = 64 << 20;
    /** At most this many values are pushed in one run (about 20 per tensor of a state dict). */
    public static final long MAX_VALUES = 8_000_000;

    /** Python's None. */
    public static final Object NONE = new Object() {
        @Override
        public String toString() {
            return "None";
        }
    };

    /** A refusal or parse failure; the message says what is wrong (the caller prefixes the source). */
    public static final class Refused extends Exception {
        private static final long serialVersionUID = 1L;

        public Refused(String message) {
            super(message);
        }
    }

    /** A Python global ({@code module.name}) that the policy allowed, not imported. */
    public record Global(String module, String name) {
        public String qualified() {
            return module + "." + name;
        }
    }

    /** A persistent storage reference: {@code data/<key>} holds {@code numel} elements of {@code dtype}. */
    public record StorageRef(DType dtype, String key, long numel) {}

    /** A tensor to be built: a view of a storage. */
    public record TensorSpec(StorageRef storage, long offset, long[] size, long[] stride) {}

    /**
     * A tuple. Identity equality on purpose: value equality would recurse into the items, and
     * tuples are never dict keys here.
     */
    public static final class Tuple {
        public final List<Object> items;

        Tuple(List<Object> items) {
            this.items = items;
        }

        /** The items, in order. */
        public List<Object> items() {
            return items;
        }
    }

    /** An {@code OrderedDict}, to tell it from a plain dict in messages. */
    public static final class OrderedDict extends LinkedHashMap<Object, Object> {
        private static final long serialVersionUID = 1L;
    }

    /**
     * An object the policy does not interpret (lenient policies only): what made it, and the
     * values given to it (arguments, BUILD state), so that tensors inside can still be found.
     */
    public static final class Opaque {
        public final String what;
        public final List<Object> parts = new ArrayList<>();

        Opaque(String what) {
            this.what = what;
        }
    }

    /** What globals mean; the machine itself knows only containers and scalars. */
    public interface Policy {
        /** The value of GLOBAL {@code module.name}, or a {@link Refused} naming it. */
        Object global(String module, String name, int pos) throws Refused;

        /** REDUCE / NEWOBJ of {@code callable} with {@code args}. */
        Object call(Object callable, Tuple args, int pos) throws Refused;

        /** BUILD: sets {@code state} on {@code target}. */
        void build(Object target, Object state, int pos) throws Refused;

        /** BINPERSID of {@code pid}. */
        Object persistentLoad(Object pid, int pos) throws Refused;
    }

    private static final Map<String, DType> STORAGES = Map.of(
            "FloatStorage", DType.FLOAT32, "DoubleStorage", DType.FLOAT64, "HalfStorage", DType.FLOAT16,
            "BFloat16Storage", DType.BFLOAT16, "LongStorage", DType.INT64, "IntStorage", DType.INT32,
            "ShortStorage", DType.INT16, "CharStorage", DType.INT8, "ByteStorage", DType.UINT8,
            "BoolStorage", DType.BOOL);

    private static final String ALLOWED = "allowed: collections.OrderedDict, torch._utils._rebuild_tensor_v2,"
            + " torch._utils._rebuild_parameter, torch.jit._pickle.restore_type_tag, torch.*Storage";

    // ================================================================ policies

    /**
     * The policies' common part: the state-dict globals always mean themselves, and persistent ids
     * are storages; each policy decides what any other global is, and may widen the strict
     * state-dict handling of calls and BUILD.
     */
    private abstract static class TensorPolicy implements Policy {
        @Override
        public final Object global(String module, String name, int pos) throws Refused {
            Global g = new Global(module, name);
            return isStateDictGlobal(g) ? g : otherGlobal(g, pos);
        }

        /** The value of a global that is not a state-dict one, or a {@link Refused} naming it. */
        abstract Object otherGlobal(Global g, int pos) throws Refused;

        @Override
        public Object call(Object callable, Tuple args, int pos) throws Refused {
            return callTensorGlobal(callable, args, pos, false);
        }

        @Override
        public void build(Object target, Object state, int pos) {
            buildOrderedDict(target, state, pos);
        }

        @Override
        public Object persistentLoad(Object pid, int pos) {
            return storage(pid);
        }
    }

    /**
     * Exactly what a state dict needs: tensors, OrderedDict and libtorch's type tags. Any other
     * global is refused when it is read, before anything could use it.
     */
    public static final Policy STATE_DICT = new TensorPolicy() {
        @Override
        Object otherGlobal(Global g, int pos) throws Refused {
            throw new Refused("its pickle references the Python global '" + g.qualified() + "' (at byte " + pos
                    + "), which is not allowed in a state dict; refused without executing anything (" + ALLOWED + ")");
        }
    };

    /**
     * The format probe's view: the state-dict globals mean what they mean, everything else is an
     * {@link Opaque} value (so such a pickle is simply not a tensor dict). Still nothing runs.
     */
    public static final Policy PROBE = new TensorPolicy() {
        @Override
        Object otherGlobal(Global g, int pos) {
            return isOtherTensorGlobal(g) ? g : new Opaque(g.qualified());
        }

        @Override
        public Object call(Object callable, Tuple args, int pos) throws Refused {
            return callTensorGlobal(callable, args, pos, true);
        }

        @Override
        public void build(Object target, Object state, int pos) {
            if (target instanceof Opaque o) {
                o.parts.add(state);
            } else if (!(target instanceof OrderedDict)) {
                throw new IllegalStateException("BUILD of a " + typeName(target) + " at byte " + pos);
            }
        }

        @Override
        public Object persistentLoad(Object pid, int pos) {
            try {
                return storage(pid);
            } catch (IllegalStateException e) {
                Opaque o = new Opaque("persistent id");
                o.parts.add(pid);
                return o;
            }
        }
    };

    /**
     * libtorch's serialized optimizer state: attribute-only TorchScript module objects
     * ({@code __torch__[.___torch_mangle_N].Module}, created by NEWOBJ and filled by BUILD) holding
     * ints, floats and tensors. Every other global is refused.
     */
    public static final Policy OPTIMIZER_ARCHIVE = new TensorPolicy() {
        @Override
        Object otherGlobal(Global g, int pos) throws Refused {
            if ((g.module().equals("__torch__") || g.module().matches("__torch__\\.___torch_mangle_[0-9]{1,9}"))
                    && g.name().equals("Module")) {
                return new Opaque(g.qualified());
            }
            throw new Refused("its pickle references '" + g.qualified() + "' (at byte " + pos
                    + "), which an optimizer state archive does not hold; refused without executing anything");
        }

        @Override
        public Object call(Object callable, Tuple args, int pos) throws Refused {
            if (callable instanceof Opaque o) {
                if (!args.items.isEmpty() || !o.parts.isEmpty()) {
                    throw new IllegalStateException("module object " + o.what + " created with arguments");
                }
                Opaque made = new Opaque(o.what);
                return made;
            }
            return super.call(callable, args, pos);
        }

        @Override
        public void build(Object target, Object state, int pos) {
            if (target instanceof Opaque o && state instanceof Map && o.parts.isEmpty()) {
                o.parts.add(state);
            } else {
                super.build(target, state, pos);
            }
        }
    };

    private static boolean isStateDictGlobal(Global g) {
        switch (g.qualified()) {
            case "collections.OrderedDict":
            case "torch._utils._rebuild_tensor_v2":
            case "torch._utils._rebuild_parameter":
            case "torch.jit._pickle.restore_type_tag":
                return true;
            default:
                return g.module().equals("torch") && STORAGES.containsKey(g.name());
        }
    }

    /** Tensor rebuilders of other PyTorch versions: the probe counts them as tensors. */
    private static boolean isOtherTensorGlobal(Global g) {
        switch (g.qualified()) {
            case "torch._utils._rebuild_tensor":
            case "torch._utils._rebuild_tensor_v3":
            case "torch._utils._rebuild_parameter_with_state":
                return true;
            default:
                return false;
        }
    }

    /** An opaque tensor the probe recognised but does not rebuild. */
    public static final Object OTHER_TENSOR = new Object();

    private static Object callTensorGlobal(Object f, Tuple args, int pos, boolean lenient) {
        if (f instanceof Opaque o) {
            if (!lenient) {
                throw new IllegalStateException("call of " + o.what + " at byte " + pos);
            }
            Opaque made = new Opaque(o.what + "()");
            made.parts.add(args);
            return made;
        }
        if (!(f instanceof Global g)) {
            throw new IllegalStateException("REDUCE of a " + typeName(f) + ", not a global, at byte " + pos);
        }
        List<Object> a = args.items;
        switch (g.qualified()) {
            case "collections.OrderedDict":
                if (!a.isEmpty()) {
                    throw new IllegalStateException("OrderedDict called with arguments at byte " + pos);
                }
                return new OrderedDict();
            case "torch._utils._rebuild_tensor_v2": {
                // (storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])
                if (a.size() < 6 || a.size() > 7 || !(a.get(0) instanceof StorageRef s)) {
                    if (lenient) {
                        return OTHER_TENSOR;
                    }
                    throw new IllegalStateException("_rebuild_tensor_v2 with unexpected arguments at byte " + pos);
                }
                long offset = integer(a.get(1), "storage_offset");
                long[] size = longs(a.get(2), "size");
                long[] stride = longs(a.get(3), "stride");
                if (offset < 0) {
                    throw new IllegalStateException("tensor storage_offset " + offset + " is negative");
                }
                if (size.length != stride.length) {
                    throw new IllegalStateException("tensor size " + java.util.Arrays.toString(size)
                            + " and stride " + java.util.Arrays.toString(stride) + " differ in length");
                }
                return new TensorSpec(s, offset, size, stride);
            }
            case "torch._utils._rebuild_parameter":
                // (data, requires_grad, backward_hooks): the data is what a state dict holds
                if (a.size() != 3 || !(a.get(0) instanceof TensorSpec || a.get(0) == OTHER_TENSOR)) {
                    throw new IllegalStateException("_rebuild_parameter with unexpected arguments at byte " + pos);
                }
                return a.get(0);
            case "torch.jit._pickle.restore_type_tag":
                if (a.isEmpty()) {
                    throw new IllegalStateException("restore_type_tag without arguments at byte " + pos);
                }
                return a.get(0);
            case "torch._utils._rebuild_tensor":
            case "torch._utils._rebuild_tensor_v3":
            case "torch._utils._rebuild_parameter_with_state":
                return OTHER_TENSOR;
            default:
                // storage classes are only referenced by persistent ids, never called
                throw new IllegalStateException("call of " + g.qualified() + " at byte " + pos);
        }
    }

    /** BUILD: only an OrderedDict's attribute state ({@code _metadata}) is accepted; it is ignored. */
    private static void buildOrderedDict(Object target, Object state, int pos) {
        if (!(target instanceof OrderedDict) || !(state instanceof Map)) {
            throw new IllegalStateException("BUILD of a " + typeName(target) + " at byte " + pos);
        }
    }

    private static StorageRef storage(Object pid) {
        if (!(pid instanceof Tuple t) || t.items.size() != 5 || !"storage".equals(t.items.get(0))) {
            throw new IllegalStateException("persistent id " + describe(pid) + " is not ('storage', type, key, location, numel)");
        }
        List<Object> a = t.items;
        if (!(a.get(1) instanceof Global g) || !g.module().equals("torch") || !STORAGES.containsKey(g.name())) {
            throw new IllegalStateException("persistent id with storage type " + describe(a.get(1)));
        }
        if (!(a.get(2) instanceof String key) || !key.matches("[A-Za-z0-9_.-]{1,64}") || key.contains("..")) {
            throw new IllegalStateException("persistent id with storage key " + describe(a.get(2))
                    + " (expected a short name such as '0')");
        }
        long numel = integer(a.get(4), "storage numel");
        if (numel < 0) {
            throw new IllegalStateException("storage '" + key + "' has a negative element count " + numel);
        }
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
        if (t.items.size() > 64) {
            throw new IllegalStateException(what + " has " + t.items.size() + " dimensions (at most 64)");
        }
        long[] out = new long[t.items.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = integer(t.items.get(i), what);
            if (out[i] < 0) {
                throw new IllegalStateException(what + " has a negative entry " + out[i]);
            }
        }
        return out;
    }

    /** Python's names of the plain value types, the first match wins (an OrderedDict is a Map too). */
    private static final List<Map.Entry<Class<?>, String>> TYPE_NAMES = List.of(
            Map.entry(TensorSpec.class, "Tensor"), Map.entry(String.class, "str"), Map.entry(Long.class, "int"),
            Map.entry(Double.class, "float"), Map.entry(Boolean.class, "bool"), Map.entry(Tuple.class, "tuple"),
            Map.entry(OrderedDict.class, "OrderedDict"), Map.entry(Map.class, "dict"), Map.entry(List.class, "list"),
            Map.entry(StorageRef.class, "storage"), Map.entry(byte[].class, "bytes"));

    /** Python's name for the type of a parsed value, for messages; never recurses. */
    public static String typeName(Object o) {
        if (o == null || o == NONE) {
            return "None";
        } else if (o == OTHER_TENSOR) {
            return "Tensor";
        } else if (o instanceof Global g) {
            return g.qualified();
        } else if (o instanceof Opaque op) {
            return op.what;
        }
        for (Map.Entry<Class<?>, String> e : TYPE_NAMES) {
            if (e.getKey().isInstance(o)) {
                return e.getValue();
            }
        }
        return o.getClass().getSimpleName();
    }

    public static String describe(Object o) {
        if (o instanceof String s) {
            return "'" + (s.length() > 60 ? s.substring(0, 60) + "..." : s) + "'";
        }
        return typeName(o);
    }

    /**
     * Checks that the view {@code t} lies inside its storage, with overflow-safe arithmetic, and
     * returns its element count.
     *
     * @param name the tensor's name, for the message
     * @param maxNumel the most elements the caller can hold
     * @throws Refused if the element count overflows or exceeds {@code maxNumel}, or an element
     *     lies outside the storage
     */
    public static long checkView(String name, TensorSpec t, long maxNumel) throws Refused {
        long numel = 1;
        long last = t.offset();
        try {
            for (int d = 0; d < t.size().length; d++) {
                numel = Math.multiplyExact(numel, t.size()[d]);
            }
            if (numel > 0) {
                for (int d = 0; d < t.size().length; d++) {
                    last = Math.addExact(last, Math.multiplyExact(t.size()[d] - 1, t.stride()[d]));
                }
            }
        } catch (ArithmeticException e) {
            throw new Refused("tensor '" + name + "' (size " + java.util.Arrays.toString(t.size()) + ", stride "
                    + java.util.Arrays.toString(t.stride()) + ", offset " + t.offset()
                    + ") overflows 64-bit arithmetic");
        }
        if (numel > maxNumel) {
            throw new Refused("tensor '" + name + "' has " + numel + " elements, more than the " + maxNumel
                    + " this reader supports");
        }
        if (numel > 0 && last >= t.storage().numel()) {
            throw new Refused("tensor '" + name + "' (size " + java.util.Arrays.toString(t.size()) + ", stride "
                    + java.util.Arrays.toString(t.stride()) + ", offset " + t.offset() + ") reaches element " + last
                    + ", past its storage of " + t.storage().numel() + " elements");
        }
        return numel;
    }

    /**
     * The byte size of storage {@code s}: its element count times its element size.
     *
     * @throws Refused if that overflows 64-bit arithmetic
     */
    public static long storageBytes(StorageRef s) throws Refused {
        try {
            return Math.multiplyExact(s.numel(), (long) s.dtype().byteSize());
        } catch (ArithmeticException e) {
            throw new Refused("storage '" + s.key() + "' declares " + s.numel() + " elements of " + s.dtype()
                    + ", more bytes than 64-bit arithmetic holds");
        }
    }

    // ================================================================ the machine

    private final ByteBuffer in;
    private final Policy policy;
    private Object[] stack = new Object[64];
    private int top;
    private int[] marks = new int[16];
    private int markCount;
    private final Map<Long, Object> memo = new HashMap<>();
    private long pushed;

    private Pickle(byte[] bytes, Policy policy) {
        this.in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        this.policy = policy;
    }

    /**
     * Runs {@code pickle} under {@code policy} and returns its top-level value.
     *
     * @throws Refused on a global the policy refuses, an unknown opcode, a truncated or malformed
     *     stream, or one over the size and value limits; the message names the opcode or global
     *     and its byte position
     */
    public static Object run(byte[] pickle, Policy policy) throws Refused {
        if (pickle.length > MAX_BYTES) {
            throw new Refused("its pickle (data.pkl) is " + pickle.length + " bytes, more than the " + MAX_BYTES
                    + " this reader accepts");
        }
        Pickle p = new Pickle(pickle, policy);
        try {
            return p.loop();
        } catch (Refused e) {
            throw e;
        } catch (BufferUnderflowException e) {
            throw new Refused("its pickle (data.pkl) is truncated at byte " + pickle.length);
        } catch (RuntimeException | StackOverflowError e) {
            throw new Refused("its pickle (data.pkl) is malformed near byte " + p.in.position() + ": " + e.getMessage());
        }
    }

    private void spend() throws Refused {
        if (++pushed > MAX_VALUES) {
            throw new Refused("its pickle (data.pkl) builds more than " + MAX_VALUES
                    + " values, far more than a model file needs; refused");
        }
    }

    private void push(Object o) throws Refused {
        spend();
        if (top == stack.length) {
            stack = java.util.Arrays.copyOf(stack, top * 2);
        }
        stack[top++] = o;
    }

    private Object pop() {
        if (top == (markCount == 0 ? 0 : marks[markCount - 1])) {
            throw new IllegalStateException("stack underflow");
        }
        Object o = stack[--top];
        stack[top] = null;
        return o;
    }

    private Object peek() {
        if (top == (markCount == 0 ? 0 : marks[markCount - 1])) {
            throw new IllegalStateException("stack underflow");
        }
        return stack[top - 1];
    }

    private void mark() {
        if (markCount == marks.length) {
            marks = java.util.Arrays.copyOf(marks, markCount * 2);
        }
        marks[markCount++] = top;
    }

    /** The items pushed since the last MARK, in push order; the mark is removed. */
    private List<Object> popMark() {
        if (markCount == 0) {
            throw new IllegalStateException("no MARK on the stack");
        }
        int from = marks[--markCount];
        List<Object> items = new ArrayList<>(top - from);
        for (int i = from; i < top; i++) {
            items.add(stack[i]);
            stack[i] = null;
        }
        top = from;
        return items;
    }

    private String line() {
        int start = in.position();
        while (in.get() != '\n') {
            if (in.position() - start > 1024) {
                throw new IllegalStateException("text line longer than 1024 bytes");
            }
        }
        byte[] b = new byte[in.position() - start - 1];
        in.get(start, b);
        return new String(b, StandardCharsets.UTF_8);
    }

    private String string(long n) {
        if (n < 0 || n > in.remaining()) {
            throw new BufferUnderflowException();
        }
        byte[] b = new byte[(int) n];
        in.get(b);
        return new String(b, StandardCharsets.UTF_8);
    }

    private void skip(long n) {
        if (n < 0 || n > in.remaining()) {
            throw new BufferUnderflowException();
        }
        in.position(in.position() + (int) n);
    }

    /** LONG1: little-endian two's complement; more than 8 bytes does not fit a long. */
    private Object long1() {
        int n = in.get() & 0xff;
        if (n > in.remaining()) {
            throw new BufferUnderflowException();
        }
        if (n > 8) {
            if (policy == PROBE) {
                skip(n);
                return new Opaque("int");
            }
            throw new IllegalStateException("integer of " + n + " bytes is too large");
        }
        long v = 0;
        for (int i = 0; i < n; i++) {
            v |= (in.get() & 0xffL) << (8 * i);
        }
        if (n > 0 && n < 8 && (v & (1L << (8 * n - 1))) != 0) {
            v |= -1L << (8 * n); // sign-extend
        }
        return v;
    }

    private void memoPut(long key) throws Refused {
        spend(); // memo entries cost memory like values: they count against the same budget
        memo.put(key, peek());
    }

    private Object memoGet(long key) {
        Object o = memo.get(key);
        if (o == null) {
            throw new IllegalStateException("memo key " + key + " was never set");
        }
        return o;
    }

    private Tuple tuple(List<Object> items) {
        return new Tuple(items);
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
            Object k = kv.get(i);
            if (!(k instanceof String || k instanceof Long || k instanceof Double || k instanceof Boolean || k == NONE)) {
                throw new IllegalStateException("dict key of type " + typeName(k)
                        + " (only str, int, float, bool and None keys are read)");
            }
            d.put(k, kv.get(i + 1));
        }
    }

    private Object loop() throws Refused {
        while (true) {
            int pos = in.position();
            int op = in.get() & 0xff;
            switch (op) {
                case 0x80: in.get(); break;                                          // PROTO
                case 0x95: in.getLong(); break;                                      // FRAME
                case '.':                                                             // STOP
                    if (top != 1 || markCount != 0) {
                        throw new IllegalStateException("STOP with " + top + " values on the stack");
                    }
                    return pop();
                case '(': mark(); break;                                             // MARK
                case 'c': push(policy.global(line(), line(), pos)); break;           // GLOBAL
                case 0x93: {                                                          // STACK_GLOBAL
                    Object name = pop();
                    Object module = pop();
                    if (!(module instanceof String m) || !(name instanceof String n)) {
                        throw new IllegalStateException("STACK_GLOBAL of non-strings");
                    }
                    push(policy.global(m, n, pos));
                    break;
                }
                case 'q': memoPut(in.get() & 0xff); break;                           // BINPUT
                case 'r': memoPut(in.getInt() & 0xffffffffL); break;                 // LONG_BINPUT
                case 0x94: memoPut(memo.size()); break;                              // MEMOIZE
                case 'h': push(memoGet(in.get() & 0xff)); break;                     // BINGET
                case 'j': push(memoGet(in.getInt() & 0xffffffffL)); break;           // LONG_BINGET
                case '2': push(peek()); break;                                       // DUP
                case '0': pop(); break;                                              // POP
                case '1': popMark(); break;                                          // POP_MARK
                case ')': push(tuple(List.of())); break;                             // EMPTY_TUPLE
                case 't': push(tuple(popMark())); break;                             // TUPLE
                case 0x85: push(tuple(List.of(pop()))); break;                       // TUPLE1
                case 0x86: { Object b = pop(), a = pop(); push(tuple(List.of(a, b))); break; }
                case 0x87: { Object c = pop(), b = pop(), a = pop(); push(tuple(List.of(a, b, c))); break; }
                case '}': push(new LinkedHashMap<>()); break;                        // EMPTY_DICT
                case 'd': { Map<Object, Object> d = new LinkedHashMap<>(); setItems(d, popMark()); push(d); break; }
                case ']': push(new ArrayList<>()); break;                            // EMPTY_LIST
                case 'l': push(new ArrayList<>(popMark())); break;                   // LIST
                case 'a': { Object v = pop(); list(peek()).add(v); break; }          // APPEND
                case 'e': { List<Object> items = popMark(); list(peek()).addAll(items); break; }  // APPENDS
                case 's': { Object v = pop(), k = pop(); setItems(peek(), List.of(k, v)); break; } // SETITEM
                case 'u': { List<Object> kv = popMark(); setItems(peek(), kv); break; }            // SETITEMS
                case 'R': { Object args = pop(), f = pop(); push(policy.call(f, args(args, pos), pos)); break; }
                case 0x81: { Object args = pop(), cls = pop(); push(policy.call(cls, args(args, pos), pos)); break; }
                case 'b': { Object state = pop(); policy.build(peek(), state, pos); break; }       // BUILD
                case 'Q': push(policy.persistentLoad(pop(), pos)); break;            // BINPERSID
                case 'X': push(string(in.getInt() & 0xffffffffL)); break;            // BINUNICODE
                case 0x8c: push(string(in.get() & 0xff)); break;                     // SHORT_BINUNICODE
                case 0x8d: push(string(in.getLong())); break;                        // BINUNICODE8
                case 'U': push(string(in.get() & 0xff)); break;                      // SHORT_BINSTRING
                case 'T': push(string(in.getInt() & 0xffffffffL)); break;            // BINSTRING
                case 'C': skip(in.get() & 0xff); push(new Opaque("bytes")); break;   // SHORT_BINBYTES
                case 'B': skip(in.getInt() & 0xffffffffL); push(new Opaque("bytes")); break;   // BINBYTES
                case 'J': push((long) in.getInt()); break;                           // BININT
                case 'K': push((long) (in.get() & 0xff)); break;                     // BININT1
                case 'M': push((long) (in.getShort() & 0xffff)); break;              // BININT2
                case 0x8a: push(long1()); break;                                     // LONG1
                case 'G': push(Double.longBitsToDouble(Long.reverseBytes(in.getLong()))); break; // BINFLOAT (big-endian)
                case 'N': push(NONE); break;                                         // NONE
                case 0x88: push(Boolean.TRUE); break;                                // NEWTRUE
                case 0x89: push(Boolean.FALSE); break;                               // NEWFALSE
                default:
                    throw new Refused("its pickle (data.pkl) uses opcode 0x" + Integer.toHexString(op) + " at byte " + pos
                            + ", which model files do not need; refused");
            }
        }
    }

    private static Tuple args(Object args, int pos) {
        if (!(args instanceof Tuple t)) {
            throw new IllegalStateException("call with a " + typeName(args) + " as arguments at byte " + pos);
        }
        return t;
    }

    /**
     * Visits every value reachable from {@code root} once (identity), iteratively: self-references
     * and shared subtrees cost nothing extra.
     */
    public static void walk(Object root, Consumer<Object> visitor) {
        IdentityHashMap<Object, Boolean> seen = new IdentityHashMap<>();
        ArrayList<Object> todo = new ArrayList<>();
        todo.add(root);
        while (!todo.isEmpty()) {
            Object o = todo.remove(todo.size() - 1);
            if (o == null || seen.put(o, Boolean.TRUE) != null) {
                continue;
            }
            visitor.accept(o);
            if (o instanceof Tuple t) {
                todo.addAll(t.items);
            } else if (o instanceof List<?> l) {
                todo.addAll(l);
            } else if (o instanceof Map<?, ?> m) {
                todo.addAll(m.keySet());
                todo.addAll(m.values());
            } else if (o instanceof Opaque op) {
                todo.addAll(op.parts);
            }
        }
    }
}
