package dev.jtorch.internal;

import dev.jtorch.Device;
import dev.jtorch.TorchException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.pytorch.GenericDict;
import org.bytedeco.pytorch.GenericDictEntryRef;
import org.bytedeco.pytorch.GenericDictIterator;
import org.bytedeco.pytorch.GenericList;
import org.bytedeco.pytorch.IValue;
import org.bytedeco.pytorch.IValueVector;
import org.bytedeco.pytorch.JitModule;
import org.bytedeco.pytorch.NamedTensor;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.Tuple;
import org.bytedeco.pytorch.TupleElements;
import org.bytedeco.pytorch.named_buffer_iterator;
import org.bytedeco.pytorch.named_buffer_list;
import org.bytedeco.pytorch.named_parameter_iterator;
import org.bytedeco.pytorch.named_parameter_list;
import org.bytedeco.pytorch.global.torch;

/**
 * One owned {@code torch::jit::Module}: a TorchScript archive loaded by libtorch's JIT loader
 * ({@code torch::jit::load}), run through its {@code forward} method.
 *
 * <p>{@link #forward} may be called from several threads at once: libtorch's graph executor
 * serialises its own (one-time) optimisation under a mutex and runs the interpreter on a
 * per-call stack, so concurrent inference on one module is supported (as TorchServe does).
 * Every call holds a use ({@link Guarded}): a {@link #close} from another thread waits for no one
 * and frees the module after the last call in flight, and later calls throw
 * {@link IllegalStateException}. {@link #to} and {@link #train} change the module under running
 * forwards, as in PyTorch. Counted in {@link Handles#live()} as one handle until closed.
 */
public final class NativeScript extends Guarded {
    static {
        NativeRuntime.ensureLoaded();
    }

    private final JitModule module;
    private final String description;

    private NativeScript(JitModule module, String description) {
        this.module = module;
        this.description = description;
        Handles.opened();
    }

    /**
     * Loads the archive at {@code path} on the CPU, in eval mode.
     *
     * @throws TorchException with libtorch's first line if the archive is corrupt, truncated or
     *     not TorchScript
     */
    public static NativeScript load(String path) {
        JitModule m;
        try {
            m = torch.load(path);
        } catch (RuntimeException e) {
            throw translate(e, "torch::jit::load(" + path + ")");
        }
        try {
            m.eval();
        } catch (RuntimeException e) {
            m.close();
            throw translate(e, "eval");
        }
        return new NativeScript(m, "ScriptModule(" + path + ")");
    }

    // ---------------------------------------------------------------- oneDNN inference copy

    /**
     * A frozen copy of the module ({@code torch::jit::freeze}: parameters inlined as constants,
     * batch norms folded into the convolutions) whose convolutions were rewritten to
     * {@code aten::mkldnn_convolution} where oneDNN is right ({@link OneDnn#rewriteConvolutions}).
     * Used only for inference on the CPU, and for each input signature only after one call
     * compared its output with the original module's.
     */
    private static final class InferenceCopy {
        final JitModule module;
        final long version;
        final int rewritten;
        /** Linears rewritten to the transposed product ({@link OneDnn#rewriteLinears}). */
        final int linears;
        final Map<String, Verdict> verdicts = new java.util.concurrent.ConcurrentHashMap<>();
        /** Set (under the copy's lock) once {@link #maxSignatures} signatures have verdicts. */
        boolean full;

        InferenceCopy(JitModule module, long version, int rewritten, int linears) {
            this.module = module;
            this.version = version;
            this.rewritten = rewritten;
            this.linears = linears;
        }
    }

    /** Relative tolerance between the copy's and the original's outputs (folded batch norms round differently). */
    static final double INFERENCE_TOLERANCE = 1e-3;
    private final Object inferenceLock = new Object();
    private volatile InferenceCopy inference;
    private volatile boolean inferenceUnavailable;
    /** Parameters and buffers whose version counters tell when the copy is stale. */
    private final List<Tensor> watched = new ArrayList<>();
    /** Copies replaced while forwards may still run on them; freed with the module. */
    private final List<JitModule> retired = new ArrayList<>();

    /** How many convolutions of this module run on oneDNN for inference (0 before the first inference call). */
    public int oneDnnConvolutions() {
        InferenceCopy c = inference;
        return c == null ? 0 : c.rewritten;
    }

    /** How many linears of the oneDNN copy take the transposed product (0 before the first inference call). */
    public int transposedLinears() {
        InferenceCopy c = inference;
        return c == null ? 0 : c.linears;
    }

    /** How many input signatures passed their comparison and run on the oneDNN copy. */
    public int inferenceCopySignatures() {
        InferenceCopy c = inference;
        return c == null ? 0 : (int) c.verdicts.values().stream().filter(Verdict::copy).count();
    }

    /** How many input signatures run on the oneDNN copy on the calling thread alone. */
    public int inferenceCopyOneThreadSignatures() {
        InferenceCopy c = inference;
        return c == null ? 0 : (int) c.verdicts.values().stream().filter(Verdict::oneThread).count();
    }

    /**
     * Runs {@code forward}: on the oneDNN copy when no gradient is recorded, the module is in eval
     * mode, every tensor argument is on the CPU and this argument signature passed its comparison;
     * otherwise on the module itself (training, gradients and other devices never see the copy).
     */
    private IValue run(JitModule m, IValueVector args, Object[] javaArgs) {
        InferenceCopy c = inferenceCopy(m, javaArgs);
        if (c == null) {
            return m.forward(args);
        }
        String key = signature(javaArgs);
        Verdict v = c.verdicts.get(key);
        if (v == null) {
            synchronized (c) {
                v = c.verdicts.get(key);
                if (v == null && c.verdicts.size() >= maxSignatures) {
                    // judging costs a comparison and the timed forwards; inputs whose shapes keep changing
                    // (sequence lengths, say) would pay that on every call and grow the map without bound
                    if (!c.full) {
                        c.full = true;
                        org.slf4j.LoggerFactory.getLogger(NativeScript.class).debug("{}: {} input signatures"
                                + " judged; later ones run on the module itself", description, maxSignatures);
                    }
                    return m.forward(args);
                }
                if (v == null) {
                    IValue ref = m.forward(args);
                    boolean agrees = agrees(ref, c, args, key);
                    c.verdicts.put(key, agrees ? new Verdict(true, threadChoice(c, args, key)) : Verdict.MODULE);
                    return ref;
                }
            }
        }
        if (!v.copy()) {
            return m.forward(args);
        }
        return ThreadChoice.call(v.threads(), () -> c.module.forward(args));
    }

    /**
     * What one input signature runs on: the module, or the copy; on the copy, where more than one
     * intra-op thread is available, which of those and the calling thread alone ({@code threads},
     * null: the intra-op threads, the only choice).
     */
    private record Verdict(boolean copy, ThreadChoice threads) {
        static final Verdict MODULE = new Verdict(false, null);

        boolean oneThread() {
            return threads != null && threads.preferOne();
        }
    }

    /**
     * Input signatures judged per copy; later ones run on the module itself. A service sees a
     * handful (batch sizes up to its limit); inputs of ever-new shapes must not cost a comparison
     * and the timed forwards each, nor memory without bound.
     */
    static final int MAX_SIGNATURES = 64;
    private static volatile int maxSignatures = MAX_SIGNATURES;

    /** Tests only: judges at most {@code n} signatures per copy; a negative value restores the default. */
    public static void maxSignaturesForTests(int n) {
        maxSignatures = n < 0 ? MAX_SIGNATURES : n;
    }

    /** Test hook: the thread choice of every new signature, instead of timing it; null: timed. */
    private static volatile Boolean forceOneThread;

    /** Tests only: makes every new input signature take ({@code true}) or refuse one thread; null restores timing. */
    public static void forceOneThreadForTests(Boolean oneThread) {
        forceOneThread = oneThread;
    }

    /** Forwards timed per thread count when a signature is first seen; the fastest of each counts. */
    private static final int THREAD_TRIALS = 5;

    /**
     * The thread choice of a signature first seen: null where the process has one intra-op thread
     * (or the OpenMP count cannot be set per thread), else seeded from the fastest of a few
     * forwards each way. Small inputs split over threads that wait passively between parallel
     * regions (see docs/design.md, "OpenMP threads wait passively") can take longer than one thread
     * does; later calls keep the choice current ({@link ThreadChoice}); only this copy's calls
     * change their count (other threads and ops keep theirs).
     */
    private ThreadChoice threadChoice(InferenceCopy c, IValueVector args, String key) {
        if (!ThreadChoice.possible()) {
            return null;
        }
        Boolean forced = forceOneThread;
        if (forced != null) {
            return new ThreadChoice(0, 0, forced);
        }
        long many = fastest(c, args);
        int threads = OmpThreads.set(1);
        long one;
        try {
            one = fastest(c, args);
        } finally {
            OmpThreads.set(threads);
        }
        ThreadChoice choice = new ThreadChoice(many, one, null);
        org.slf4j.LoggerFactory.getLogger(NativeScript.class).debug("{}: inputs {} on the oneDNN copy: {} us on 1 thread,"
                + " {} us on {}; starting with {}", description, key, one / 1000, many / 1000, threads,
                choice.preferOne() ? 1 : threads);
        return choice;
    }

    private static long fastest(InferenceCopy c, IValueVector args) {
        long best = Long.MAX_VALUE;
        for (int i = 0; i < THREAD_TRIALS; i++) {
            long t0 = System.nanoTime();
            try (IValue out = c.module.forward(args)) {
                best = Math.min(best, System.nanoTime() - t0);
            }
        }
        return best;
    }

    private InferenceCopy inferenceCopy(JitModule m, Object[] javaArgs) {
        if (inferenceUnavailable || !OneDnn.enabled() || org.bytedeco.pytorch.GradMode.is_enabled() || m.is_training()) {
            return null;
        }
        for (Object a : javaArgs) {
            if (a instanceof NativeTensor t && t.device().type() != Device.Type.CPU) {
                return null;
            }
        }
        InferenceCopy c = inference;
        if (c != null && c.version == version()) {
            return c;
        }
        synchronized (inferenceLock) {
            c = inference;
            if (c != null && c.version == version()) {
                return c;
            }
            if (inferenceUnavailable) {
                return null;
            }
            retireInference();
            return inference = build(m);
        }
    }

    /** Under inferenceLock. */
    private InferenceCopy build(JitModule m) {
        if (watched.isEmpty()) {
            try (org.bytedeco.pytorch.parameter_list ps = m.parameters(true);
                 org.bytedeco.pytorch.buffer_list bs = m.buffers(true)) {
                for (org.bytedeco.pytorch.parameter_iterator it = ps.begin(), end = ps.end(); it.notEquals(end);
                     it.increment()) {
                    watched.add(new Tensor(it.access()));
                }
                for (org.bytedeco.pytorch.buffer_iterator it = bs.begin(), end = bs.end(); it.notEquals(end);
                     it.increment()) {
                    watched.add(new Tensor(it.access()));
                }
            }
        }
        long version = version();
        JitModule frozen = null;
        try {
            frozen = torch.freeze(m);
            int n;
            int linears = 0;
            try (org.bytedeco.pytorch.Method f = frozen.get_method("forward")) {
                n = OneDnn.rewriteConvolutions(f.graph(), frozen);
                if (n > 0) {
                    OneDnn.rewriteMaxPools(f.graph());
                    linears = OneDnn.rewriteLinears(f.graph(), frozen);
                }
            }
            if (n == 0) {
                frozen.close();
                inferenceUnavailable = true;
                return null;
            }
            org.slf4j.LoggerFactory.getLogger(NativeScript.class).debug("{}: {} convolutions on oneDNN for inference",
                    description, n);
            return new InferenceCopy(frozen, version, n, linears);
        } catch (RuntimeException e) {
            if (frozen != null) {
                frozen.close();
            }
            inferenceUnavailable = true;
            org.slf4j.LoggerFactory.getLogger(NativeScript.class).debug("{}: no oneDNN inference copy ({})",
                    description, Errors.firstLine(String.valueOf(e.getMessage())));
            return null;
        }
    }

    /** Under inferenceLock (or from to(), which must not overlap a forward). */
    private void retireInference() {
        InferenceCopy c = inference;
        inference = null;
        if (c != null) {
            retired.add(c.module);
        }
    }

    private long version() {
        long v = 0;
        for (Tensor t : watched) {
            v = v * 31 + t.__dispatch__version();
        }
        return v;
    }

    private static String signature(Object[] args) {
        StringBuilder b = new StringBuilder();
        for (Object a : args) {
            if (a instanceof NativeTensor t) {
                Tensor p = t.acquire();
                try {
                    b.append(Arrays.toString(OneDnn.shape(p))).append(p.scalar_type().value)
                            .append(p.is_contiguous() ? 'c' : 'n');
                } finally {
                    t.release();
                }
            } else {
                b.append(a == null ? "None" : a.getClass().getSimpleName() + "=" + a);
            }
            b.append(';');
        }
        return b.toString();
    }

    /** Whether the copy's output equals the original's {@code ref} (a tensor) within INFERENCE_TOLERANCE. */
    private boolean agrees(IValue ref, InferenceCopy c, IValueVector args, String key) {
        if (!ref.isTensor()) {
            return false;
        }
        try (IValue out = c.module.forward(args)) {
            if (!out.isTensor()) {
                return false;
            }
            Tensor a = out.toTensor(), r = ref.toTensor();
            if (!java.util.Arrays.equals(OneDnn.shape(a), OneDnn.shape(r))
                    || a.scalar_type().value != r.scalar_type().value || !r.is_floating_point()) {
                return false;
            }
            double scale = Math.max(1e-30, OneDnn.maxAbs(r));
            double err = OneDnn.maxDiff(a, r) / scale;
            if (err <= INFERENCE_TOLERANCE) {
                return true;
            }
            org.slf4j.LoggerFactory.getLogger(NativeScript.class).error("{}: the oneDNN inference copy disagrees with the"
                    + " module for inputs {} (relative error {}); these inputs keep libtorch's own kernels",
                    description, key, err);
            return false;
        } catch (RuntimeException e) {
            org.slf4j.LoggerFactory.getLogger(NativeScript.class).debug("{}: the oneDNN inference copy failed for {}: {}",
                    description, key, Errors.firstLine(String.valueOf(e.getMessage())));
            return false;
        }
    }

    /** Counts a use and returns the module; pair with {@link #exit()}. */
    private JitModule live() {
        enter();
        return module;
    }

    @Override
    protected IllegalStateException usedAfterClose() {
        return new IllegalStateException(description + " used after close()");
    }

    /**
     * Runs {@code forward(input)} and returns its tensor result as a new handle the caller owns.
     *
     * @throws TorchException if the script rejects the input (the message names the input's shape
     *     and gives the script's own error) or returns something other than a tensor
     */
    public NativeTensor forward(NativeTensor input) {
        JitModule m = live();
        try {
            return forward(m, input);
        } finally {
            exit();
        }
    }

    private NativeTensor forward(JitModule m, NativeTensor input) {
        String call = description + ".forward(" + Arrays.toString(input.shape()) + " " + input.dtype()
                + (input.device().isCuda() ? " " + input.device() : "") + ")";
        try (IValue arg = toIValue(input, 0); IValueVector args = new IValueVector(arg);
             IValue out = run(m, args, new Object[] {input})) {
            if (!out.isTensor()) {
                String kind;
                try (BytePointer k = out.tagKind()) {
                    kind = k.getString();
                }
                throw new TorchException(call + ": returned a " + kind + ", not a tensor; ScriptModule.forwardTensors"
                        + " takes tuples of tensors, ScriptModule.forwardValue any result");
            }
            return NativeTensor.own(new Tensor(out.toTensor()));
        } catch (RuntimeException e) {
            throw translate(e, call);
        }
    }

    /**
     * Runs {@code forward(args...)} and returns its result as Java values: a {@link NativeTensor}
     * the caller owns for a tensor, an unmodifiable {@code List} for a tuple or list, an
     * unmodifiable {@code Map} (insertion order) for a dict, {@code Long}, {@code Double},
     * {@code Boolean}, {@code String}, or {@code null} for None; nested as the script nests them.
     *
     * @param args each a {@link NativeTensor}, {@code Long}/{@code Integer}, {@code Double}/{@code
     *     Float}, {@code Boolean}, {@code String} or {@code null} (None), in the script's order
     * @throws IllegalArgumentException for an argument of another Java type
     * @throws TorchException if the script rejects the arguments (the message lists them and gives
     *     the script's own error) or returns a value of another kind (an object, a future)
     */
    public Object call(Object... args) {
        JitModule m = live();
        try {
            return call(m, args);
        } finally {
            exit();
        }
    }

    private Object call(JitModule m, Object[] args) {
        StringBuilder shown = new StringBuilder(description).append(".forward(");
        List<IValue> made = new ArrayList<>();
        try {
            for (int i = 0; i < args.length; i++) {
                shown.append(i == 0 ? "" : ", ").append(describe(args[i]));
                made.add(toIValue(args[i], i));
            }
            shown.append(')');
            String call = shown.toString();
            try (IValueVector vec = new IValueVector(made.toArray(new IValue[0])); IValue out = run(m, vec, args)) {
                return fromIValue(out, call);
            } catch (RuntimeException e) {
                throw translate(e, call);
            }
        } finally {
            made.forEach(IValue::close);
        }
    }

    private static String describe(Object a) {
        if (a instanceof NativeTensor t) {
            return Arrays.toString(t.shape()) + " " + t.dtype() + (t.device().isCuda() ? " " + t.device() : "");
        }
        return a instanceof String ? "\"" + a + "\"" : String.valueOf(a);
    }

    private static IValue toIValue(Object a, int index) {
        if (a == null) {
            return new IValue();
        } else if (a instanceof NativeTensor t) {
            Tensor p = t.acquire(); // the IValue takes its own reference; the use covers the copy
            try {
                return new IValue(p);
            } finally {
                t.release();
            }
        } else if (a instanceof Long || a instanceof Integer || a instanceof Short || a instanceof Byte) {
            return new IValue(((Number) a).longValue());
        } else if (a instanceof Double || a instanceof Float) {
            return new IValue(((Number) a).doubleValue());
        } else if (a instanceof Boolean b) {
            return new IValue(b.booleanValue());
        } else if (a instanceof String str) {
            return new IValue(str);
        }
        throw new IllegalArgumentException("TorchScript argument " + index + ": a " + a.getClass().getName()
                + " cannot be passed; use a tensor, long, double, boolean, String or null");
    }

    /** Converts {@code v}; on failure frees the tensors converted so far. */
    private static Object fromIValue(IValue v, String call) {
        List<NativeTensor> made = new ArrayList<>();
        try {
            return convert(v, call, made);
        } catch (RuntimeException e) {
            made.forEach(NativeTensor::close);
            throw e;
        }
    }

    private static Object convert(IValue v, String call, List<NativeTensor> made) {
        if (v.isTensor()) {
            // copy-constructed: the IValue's tensor is a view into the IValue (or its tuple)
            NativeTensor t = NativeTensor.own(new Tensor(v.toTensor()));
            made.add(t);
            return t;
        } else if (v.isNone()) {
            return null;
        } else if (v.isInt()) {
            return v.toInt();
        } else if (v.isDouble()) {
            return v.toDouble();
        } else if (v.isBool()) {
            return v.toBool();
        } else if (v.isString()) {
            try (BytePointer b = v.toStringRef()) {
                return b.getString();
            }
        } else if (v.isTuple()) {
            List<Object> out = new ArrayList<>();
            try (Tuple t = v.toTuple()) {
                TupleElements el = t.elements();
                for (long i = 0; i < el.size(); i++) {
                    out.add(convert(el.get(i), call, made));
                }
            }
            return Collections.unmodifiableList(out);
        } else if (v.isTensorList()) {
            List<Object> out = new ArrayList<>();
            try (TensorVector tv = v.toTensorVector()) {
                for (long i = 0; i < tv.size(); i++) {
                    NativeTensor t = NativeTensor.own(new Tensor(tv.get(i)));
                    made.add(t);
                    out.add(t);
                }
            }
            return Collections.unmodifiableList(out);
        } else if (v.isList()) {
            List<Object> out = new ArrayList<>();
            try (GenericList l = v.toList()) {
                for (long i = 0; i < l.size(); i++) {
                    try (IValue e = l.get(i)) {
                        out.add(convert(e, call, made));
                    }
                }
            }
            return Collections.unmodifiableList(out);
        } else if (v.isGenericDict()) {
            Map<Object, Object> out = new LinkedHashMap<>();
            try (GenericDict d = v.toGenericDict(); GenericDictIterator it = d.begin(); GenericDictIterator end = d.end()) {
                for (; it.notEquals(end); it.increment()) {
                    try (GenericDictEntryRef e = it.access()) {
                        Object key = convert(e.key(), call, made);
                        out.put(key, convert(e.value(), call, made));
                    }
                }
            }
            return Collections.unmodifiableMap(out);
        }
        String kind;
        try (BytePointer k = v.tagKind()) {
            kind = k.getString();
        }
        throw new TorchException(call + ": returned a " + kind + ", which jtorch does not convert (tensors, tuples,"
                + " lists, dicts, numbers, booleans, strings and None are)");
    }

    /**
     * The arguments of the script's {@code forward} after {@code self}, in order: name to
     * TorchScript type ({@code "Tensor"}, {@code "int"}, {@code "Optional[Tensor]"}...).
     */
    public Map<String, String> forwardSchema() {
        JitModule m = live();
        try (org.bytedeco.pytorch.Method method = m.get_method("forward");
             org.bytedeco.pytorch.Function f = method.function()) {
            org.bytedeco.pytorch.FunctionSchema schema = f.getSchema();
            org.bytedeco.pytorch.Argument args = schema.arguments();
            Map<String, String> out = new LinkedHashMap<>();
            for (long i = 1; i < args.limit(); i++) { // 0 is self
                org.bytedeco.pytorch.Argument a = args.getPointer(i);
                out.put(a.name().getString(), a.type().get().str().getString());
            }
            return out;
        } catch (RuntimeException e) {
            throw translate(e, description + ".forward's schema");
        } finally {
            exit();
        }
    }

    /**
     * The script's parameters under their dotted names ({@code fc1.weight}), as owned aliases:
     * {@link #to} and in-place copies are seen on both sides. The caller closes them.
     */
    public Map<String, NativeTensor> namedParameters() {
        return namedTensors(false);
    }

    /** The script's buffers (e.g. batch-norm statistics), as {@link #namedParameters()}. */
    public Map<String, NativeTensor> namedBuffers() {
        return namedTensors(true);
    }

    /** The named buffers or parameters; their native lists and iterators share no Java type. */
    private Map<String, NativeTensor> namedTensors(boolean buffers) {
        Map<String, NativeTensor> out = new LinkedHashMap<>();
        JitModule m = live();
        try {
            if (buffers) {
                try (named_buffer_list list = new named_buffer_list(m, true, false);
                     named_buffer_iterator it = list.begin(); named_buffer_iterator end = list.end()) {
                    for (; it.notEquals(end); it.increment()) {
                        putAlias(out, it.access());
                    }
                }
            } else {
                try (named_parameter_list list = new named_parameter_list(m, true, false);
                     named_parameter_iterator it = list.begin(); named_parameter_iterator end = list.end()) {
                    for (; it.notEquals(end); it.increment()) {
                        putAlias(out, it.access());
                    }
                }
            }
        } catch (RuntimeException e) {
            out.values().forEach(NativeTensor::close);
            throw translate(e, description + (buffers ? ".named_buffers" : ".named_parameters"));
        } finally {
            exit();
        }
        return out;
    }

    private static void putAlias(Map<String, NativeTensor> out, NamedTensor named) {
        try (NamedTensor nt = named; BytePointer name = nt.name()) {
            out.put(name.getString(), NativeTensor.own(new Tensor(nt.value())));
        }
    }

    /** Moves parameters and buffers to {@code device} in place ({@code set_data}: aliases follow). */
    public void to(Device device) {
        JitModule m = live();
        try {
            m.to(Natives.device(device));
            retireInference();
        } catch (RuntimeException e) {
            throw translate(e, description + ".to(" + device + ")");
        } finally {
            exit();
        }
    }

    /** Sets the script's training flag (recursively). */
    public void train(boolean on) {
        JitModule m = live();
        try {
            m.train(on);
        } finally {
            exit();
        }
    }

    @Override
    protected void free() {
        synchronized (inferenceLock) {
            retireInference();
            retired.forEach(JitModule::close);
            retired.clear();
            watched.forEach(Tensor::close);
            watched.clear();
        }
        module.close();
        Handles.closed();
    }

    /**
     * Like {@link Errors#translate}, but a TorchScript interpreter error starts with a generic
     * "The following operation failed in the TorchScript interpreter." and a script traceback;
     * the useful line (e.g. "mat1 and mat2 shapes cannot be multiplied (1x100 and 784x128)") is
     * the last "RuntimeError: ..." one, so that line is put first.
     */
    static RuntimeException translate(RuntimeException e, String context) {
        if (e instanceof TorchException || e instanceof IllegalStateException) {
            return e;
        }
        String full = e.getMessage() == null ? e.getClass().getName() : e.getMessage();
        int at = full.lastIndexOf("RuntimeError: ");
        if (at < 0) {
            return Errors.translate(e, context);
        }
        String first = Errors.firstLine(full.substring(at + "RuntimeError: ".length()));
        return new TorchException(context + ": " + first, first, full, e);
    }
}
