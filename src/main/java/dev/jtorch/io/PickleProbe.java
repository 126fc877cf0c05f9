package dev.jtorch.io;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Decides whether a pickle (a {@code data.pkl} of {@code torch.save}) holds a dict of string ->
 * tensor, by walking its opcodes on a symbolic stack: no global is imported, no object is built,
 * nothing runs.
 *
 * <p>Understands the opcodes that {@code torch.save} (protocol 2), libtorch's pickler and
 * protocol 4 streams use. Calls are interpreted only for the globals a state dict needs
 * ({@code collections.OrderedDict}, {@code torch._utils._rebuild_tensor_v2} and relatives,
 * {@code torch.jit._pickle.restore_type_tag}); any other call yields an opaque value, so such a
 * pickle is not a tensor dict. Any unknown opcode or truncated stream answers false.
 */
final class PickleProbe {
    private static final Object MARK = new Object();
    private static final Object TENSOR = new Object();
    private static final Object STORAGE = new Object();
    private static final Object OTHER = new Object();

    /** A dict under construction: tracks only whether it is still a string -> tensor dict. */
    private static final class Dict {
        final boolean ordered;
        boolean tensorDict = true;

        Dict(boolean ordered) {
            this.ordered = ordered;
        }
    }

    private record Global(String module, String name) {
        String qualified() {
            return module + "." + name;
        }
    }

    private final ByteBuffer in;
    private final Deque<Object> stack = new ArrayDeque<>();
    private final Map<Long, Object> memo = new HashMap<>();

    private PickleProbe(byte[] bytes) {
        this.in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Whether {@code pickle}'s top-level object is a (possibly empty) dict of string -> tensor. */
    static boolean isTensorDict(byte[] pickle) {
        return describe(pickle) != null;
    }

    /**
     * {@code "OrderedDict"} or {@code "dict"} when {@code pickle}'s top-level object is a dict of
     * string -> tensor of that class, else null.
     */
    static String describe(byte[] pickle) {
        try {
            Object top = new PickleProbe(pickle).run();
            if (top instanceof Dict && ((Dict) top).tensorDict) {
                return ((Dict) top).ordered ? "OrderedDict" : "dict";
            }
            return null;
        } catch (RuntimeException e) {
            return null; // truncated, unknown opcode, stack underflow: not something we recognise
        }
    }

    private Object pop() {
        Object o = stack.pop();
        if (o == MARK) {
            throw new IllegalStateException("mark popped as a value");
        }
        return o;
    }

    private List<Object> popToMark() {
        List<Object> items = new ArrayList<>();
        while (true) {
            Object o = stack.pop();
            if (o == MARK) {
                break;
            }
            items.add(0, o);
        }
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
            throw new IllegalStateException("string length out of range");
        }
        byte[] b = new byte[(int) n];
        in.get(b);
        return new String(b, StandardCharsets.UTF_8);
    }

    private void skip(long n) {
        if (n < 0 || n > in.remaining()) {
            throw new IllegalStateException("length out of range");
        }
        in.position(in.position() + (int) n);
    }

    private static void setItems(Object target, List<Object> kv) {
        if (!(target instanceof Dict) || kv.size() % 2 != 0) {
            return; // setting items on a non-dict: the value is opaque anyway
        }
        Dict d = (Dict) target;
        for (int i = 0; i < kv.size(); i += 2) {
            if (!(kv.get(i) instanceof String) || kv.get(i + 1) != TENSOR) {
                d.tensorDict = false;
            }
        }
    }

    private static Object call(Object callable, Object args) {
        if (!(callable instanceof Global)) {
            return OTHER;
        }
        switch (((Global) callable).qualified()) {
            case "collections.OrderedDict":
                return new Dict(true);
            case "torch._utils._rebuild_tensor":
            case "torch._utils._rebuild_tensor_v2":
            case "torch._utils._rebuild_tensor_v3":
            case "torch._utils._rebuild_parameter":
            case "torch._utils._rebuild_parameter_with_state":
                return TENSOR;
            case "torch.jit._pickle.restore_type_tag":
                // libtorch's typed containers: (value, "Dict[str, Tensor]") -> value
                return args instanceof List<?> l && !l.isEmpty() ? l.get(0) : OTHER;
            default:
                return OTHER;
        }
    }

    private Object run() {
        while (true) {
            int op = in.get() & 0xff;
            switch (op) {
                case 0x80: in.get(); break;                                  // PROTO
                case 0x95: skip(8); break;                                   // FRAME
                case '.': return pop();                                       // STOP
                case '(': stack.push(MARK); break;                            // MARK
                case 'c': stack.push(new Global(line(), line())); break;      // GLOBAL
                case 0x93: {                                                  // STACK_GLOBAL
                    Object name = pop();
                    Object module = pop();
                    stack.push(module instanceof String && name instanceof String
                            ? new Global((String) module, (String) name) : OTHER);
                    break;
                }
                case 'q': memo.put((long) (in.get() & 0xff), stack.peek()); break;          // BINPUT
                case 'r': memo.put(in.getInt() & 0xffffffffL, stack.peek()); break;         // LONG_BINPUT
                case 0x94: memo.put((long) memo.size(), stack.peek()); break;               // MEMOIZE
                case 'h': stack.push(memoGet(in.get() & 0xff)); break;                      // BINGET
                case 'j': stack.push(memoGet(in.getInt() & 0xffffffffL)); break;            // LONG_BINGET
                case ')': stack.push(List.of()); break;                                     // EMPTY_TUPLE
                case 't': stack.push(popToMark()); break;                                   // TUPLE
                case 0x85: stack.push(List.of(pop())); break;                               // TUPLE1
                case 0x86: { Object b = pop(), a = pop(); stack.push(List.of(a, b)); break; }  // TUPLE2
                case 0x87: { Object c = pop(), b = pop(), a = pop(); stack.push(List.of(a, b, c)); break; }
                case '}': stack.push(new Dict(false)); break;                                    // EMPTY_DICT
                case 'd': { Dict d = new Dict(false); setItems(d, popToMark()); stack.push(d); break; }  // DICT
                case ']': case 'l': if (op == 'l') { popToMark(); } stack.push(OTHER); break; // lists
                case 's': { Object v = pop(), k = pop(); setItems(stack.peek(), List.of(k, v)); break; }
                case 'u': { List<Object> kv = popToMark(); setItems(stack.peek(), kv); break; }
                case 'a': pop(); break;                                                      // APPEND
                case 'e': popToMark(); break;                                                // APPENDS
                case 'R': { Object args = pop(), f = pop(); stack.push(call(f, args)); break; }  // REDUCE
                case 0x81: { pop(); pop(); stack.push(OTHER); break; }                       // NEWOBJ
                case 'b': pop(); break;                           // BUILD: state (e.g. _metadata) ignored
                case 'Q': pop(); stack.push(STORAGE); break;                                 // BINPERSID
                case 'X': stack.push(string(in.getInt() & 0xffffffffL)); break;             // BINUNICODE
                case 0x8c: stack.push(string(in.get() & 0xff)); break;                       // SHORT_BINUNICODE
                case 0x8d: stack.push(string(in.getLong())); break;                          // BINUNICODE8
                case 'U': stack.push(string(in.get() & 0xff)); break;                        // SHORT_BINSTRING
                case 'T': stack.push(string(in.getInt() & 0xffffffffL)); break;              // BINSTRING
                case 'C': skip(in.get() & 0xff); stack.push(OTHER); break;                   // SHORT_BINBYTES
                case 'B': skip(in.getInt() & 0xffffffffL); stack.push(OTHER); break;         // BINBYTES
                case 'J': in.getInt(); stack.push(OTHER); break;                             // BININT
                case 'K': in.get(); stack.push(OTHER); break;                                // BININT1
                case 'M': in.getShort(); stack.push(OTHER); break;                           // BININT2
                case 0x8a: skip(in.get() & 0xff); stack.push(OTHER); break;                  // LONG1
                case 0x8b: skip(in.getInt() & 0xffffffffL); stack.push(OTHER); break;       // LONG4
                case 'G': in.getDouble(); stack.push(OTHER); break;                          // BINFLOAT
                case 'N': case 0x88: case 0x89: stack.push(OTHER); break;                    // None, True, False
                default:
                    throw new IllegalStateException("unsupported pickle opcode 0x" + Integer.toHexString(op));
            }
        }
    }

    private Object memoGet(long key) {
        Object o = memo.get(key);
        if (o == null) {
            throw new IllegalStateException("memo key " + key + " not set");
        }
        return o;
    }
}
