package dev.jtorch.io;

import dev.jtorch.Device;
import dev.jtorch.TorchException;
import dev.jtorch.internal.NativeScript;
import dev.jtorch.internal.NativeTensor;
import dev.jtorch.nn.Module;
import dev.jtorch.tensor.Tensor;
import dev.jtorch.tensor.TensorScope;
import dev.jtorch.tensor.access.TensorAccess;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A TorchScript model ({@code torch.jit.save} of a scripted or traced module, PyTorch 1.x or 2.x)
 * loaded through libtorch's JIT loader and usable as a jtorch {@link Module}: PyTorch's
 * {@code torch.jit.load}.
 *
 * <pre>{@code
 * try (ScriptModule m = ScriptModule.load(Path.of("model_scripted.pt"));
 *      InferenceMode g = InferenceMode.enter();
 *      TensorScope s = TensorScope.open()) {
 *     Tensor probs = F.softmax(m.forward(images), 1);   // images: float32 [N, 1, 28, 28]
 * }
 * }</pre>
 *
 * <p>It lives in {@code io} rather than {@code nn} because it can only come from a file and its
 * failures are file failures ({@link ModelFileException}); {@code nn} stays free of file formats.
 *
 * <p>{@link #forward(Tensor)} runs a script whose {@code forward} takes one tensor and returns one
 * tensor. Scripts with several inputs or structured outputs have their own calls:
 * {@link #forward(Tensor...)} (several tensors in, one tensor out), {@link #forwardTensors}
 * (tensors in, a tuple of tensors out, e.g. an LSTM's {@code (output, (h, c))} flattened) and
 * {@link #forwardValue} (any mix of tensors, numbers, booleans, strings and None in; tensors,
 * tuples, lists, dicts and scalars out as Java values). A script is run as it defines itself (the
 * architecture is in the file, so nothing checks the input shape before the script does). A loaded module is in eval mode. Its parameters and buffers appear in
 * {@link #namedParameters()}, {@link #namedBuffers()} and {@link #stateDict()} under their dotted
 * PyTorch names ({@code fc1.weight}); they alias the script's own tensors, so
 * {@link #loadStateDict} changes what the script computes. {@link #to(Device)} moves the whole
 * script (its parameters, buffers and tensor attributes).
 *
 * <p><b>Threads.</b> One ScriptModule may serve {@link #forward} on several threads at once, each
 * with its own {@link TensorScope} and its own {@code NoGrad}/{@code InferenceMode} guard (guards
 * are thread-local; without one, every call records an autograd graph through the
 * parameters): libtorch's graph executor optimises a method once under its own lock and then
 * interprets it on a per-call stack. {@link #train}, {@link #to} and {@link #close} must not
 * overlap a forward.
 *
 * <p><b>Ownership.</b> The caller closes the module, which frees the native module and the
 * parameter aliases (each counted by {@code Torch.liveHandles()}). {@link #forward} results belong
 * to the current scope.
 */
public final class ScriptModule extends Module {
    private final Path file;
    private final NativeScript script;
    private final Map<String, Tensor> params;
    private final Map<String, Tensor> bufs;

    private ScriptModule(Path file, NativeScript script) {
        this.file = file;
        this.script = script;
        Map<String, NativeTensor> p = script.namedParameters();
        Map<String, NativeTensor> b;
        try {
            b = script.namedBuffers();
        } catch (RuntimeException e) {
            p.values().forEach(NativeTensor::close);
            throw e;
        }
        this.params = adopt(p, "parameter");
        this.bufs = adopt(b, "buffer");
        super.eval();
    }

    private Map<String, Tensor> adopt(Map<String, NativeTensor> handles, String what) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        handles.forEach((k, h) -> out.put(k, TensorAccess.owned(h, owner(), "ScriptModule(" + file.getFileName() + ") "
                + what + " " + k)));
        return Collections.unmodifiableMap(out);
    }

    /**
     * Loads the TorchScript archive {@code file} on the CPU, in eval mode.
     *
     * @throws NoSuchFileException if it does not exist
     * @throws AccessDeniedException if it cannot be read
     * @throws ModelFileException naming the file if it is not a loadable TorchScript archive
     *     (corrupt, truncated, another kind of file), with libtorch's reason
     * @throws IOException if it is a folder
     */
    public static ScriptModule load(Path file) throws IOException {
        Objects.requireNonNull(file, "file");
        ModelFiles.requireRegularFile(file, "TorchScript archive");
        if (!Files.isReadable(file)) {
            throw new AccessDeniedException(file.toString(), null, "TorchScript file is not readable");
        }
        NativeScript s;
        try {
            s = NativeScript.load(file.toString());
        } catch (TorchException e) {
            String reason = e.nativeMessage() == null ? e.getMessage() : e.nativeMessage();
            throw new ModelFileException(file, "is not a loadable TorchScript archive (torch.jit.save output): "
                    + reason, e);
        }
        try {
            return new ScriptModule(file, s);
        } catch (RuntimeException e) {
            s.close();
            throw e;
        }
    }

    /**
     * Loads {@code file} and moves it to {@code device}.
     *
     * @throws TorchException if the device is not available
     * @throws IOException as {@link #load(Path)}
     */
    public static ScriptModule load(Path file, Device device) throws IOException {
        ScriptModule m = load(file);
        try {
            m.to(device);
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
        return m;
    }

    /**
     * How many of the script's convolutions run on oneDNN for inference: 0 until the first forward
     * without gradients on the CPU, then those of the frozen inference copy (docs/design.md,
     * "oneDNN convolutions"). Inference (no gradient recorded: {@code InferenceMode}/{@code NoGrad}),
     * in eval mode, on the CPU uses a frozen copy of the script whose 2-D float32 convolutions run
     * on oneDNN where its kernels are right, after one call per input shape has compared the
     * copy's output with the script's; gradients, training mode and other devices always run the
     * script itself. {@code -Djtorch.onednnInference=false} turns this off.
     *
     * @throws IllegalStateException if the module is closed
     */
    public int oneDnnConvolutions() {
        checkOpen();
        return script.oneDnnConvolutions();
    }

    /** How many linears of the inference copy take the transposed product (tests). */
    int transposedLinears() {
        checkOpen();
        return script.transposedLinears();
    }

    /** How many input signatures passed the comparison and now run on the inference copy (tests). */
    int inferenceCopySignatures() {
        checkOpen();
        return script.inferenceCopySignatures();
    }

    /** How many of those run on the calling thread alone, because that timed faster (tests). */
    int inferenceCopyOneThreadSignatures() {
        checkOpen();
        return script.inferenceCopyOneThreadSignatures();
    }

    /** The file it was loaded from. */
    public Path file() {
        return file;
    }

    /**
     * Runs the script's {@code forward} on {@code input}.
     *
     * @param input whatever the script expects, on the module's device (e.g. float32
     *     {@code [N, 1, 28, 28]} for a Fashion-MNIST model)
     * @return the output, owned by the current scope
     * @throws IllegalStateException if no scope is open or the module is closed
     * @throws TorchException if the script rejects the input: the message names the input's shape
     *     and gives the script's reason (e.g. {@code mat1 and mat2 shapes cannot be multiplied})
     */
    @Override
    public Tensor forward(Tensor input) {
        checkOpen();
        Objects.requireNonNull(input, "input");
        if (!TensorScope.isOpen()) {
            throw new IllegalStateException("ScriptModule.forward: no TensorScope is open on thread "
                    + Thread.currentThread().getName() + "; the output belongs to the current scope");
        }
        NativeTensor out = script.forward(TensorAccess.handle(input));
        return TensorAccess.scoped(out, "ScriptModule.forward");
    }

    /**
     * Runs the script's {@code forward} on several tensors (PyTorch's {@code m(x, mask)}) and
     * returns its one tensor.
     *
     * @return the output, owned by the current scope
     * @throws IllegalStateException if no scope is open or the module is closed
     * @throws TorchException if the script rejects the inputs, or returns something else than a
     *     tensor (the message names {@link #forwardTensors} / {@link #forwardValue})
     */
    public Tensor forward(Tensor... inputs) {
        Object out = forwardValue((Object[]) inputs);
        if (out instanceof Tensor t) {
            return t;
        }
        throw new TorchException(this + ".forward: the script returned " + describe(out) + ", not a tensor;"
                + " use forwardTensors (tuples of tensors) or forwardValue");
    }

    /**
     * The script's {@code forward} arguments after {@code self}, in order: name to TorchScript type
     * ({@code "Tensor"}, {@code "int"}, {@code "Optional[Tensor]"}...), as the archive declares them.
     *
     * @throws IllegalStateException if the module is closed
     */
    public java.util.Map<String, String> forwardSchema() {
        checkOpen();
        return java.util.Collections.unmodifiableMap(script.forwardSchema());
    }

    /**
     * Runs the script's {@code forward} on {@code inputs} and returns every tensor of its result in
     * order, nested tuples and lists flattened: {@code (out, (h, c))} gives {@code [out, h, c]}; a
     * single tensor gives a one-element list.
     *
     * @return the tensors, owned by the current scope
     * @throws IllegalStateException if no scope is open or the module is closed
     * @throws TorchException if the script rejects the inputs or its result holds something other
     *     than tensors (use {@link #forwardValue} then)
     */
    public List<Tensor> forwardTensors(Tensor... inputs) {
        Object out = forwardValue((Object[]) inputs);
        List<Tensor> flat = new ArrayList<>();
        flatten(out, flat);
        return flat;
    }

    private void flatten(Object v, List<Tensor> into) {
        if (v instanceof Tensor t) {
            into.add(t);
        } else if (v instanceof List<?> l) {
            for (Object e : l) {
                flatten(e, into);
            }
        } else {
            throw new TorchException(this + ".forwardTensors: the script's result holds " + describe(v)
                    + "; use forwardValue for results that are not tensors");
        }
    }

    private static String describe(Object v) {
        if (v == null) {
            return "None";
        } else if (v instanceof List<?> l) {
            return "a tuple/list of " + l.size();
        } else if (v instanceof Map<?, ?> m) {
            return "a dict of " + m.size();
        }
        return "a " + v.getClass().getSimpleName() + " (" + v + ")";
    }

    /**
     * Runs the script's {@code forward} with any arguments it declares, as Python calls it: tensors,
     * integers ({@code Long}/{@code Integer}), floats ({@code Double}/{@code Float}),
     * {@code Boolean}, {@code String} and {@code null} for None, in the script's order.
     *
     * <p>The result mirrors the script's value: a {@link Tensor}; an unmodifiable {@code List} for a
     * tuple or list; an unmodifiable {@code Map} in the dict's order for a dict; {@code Long},
     * {@code Double}, {@code Boolean}, {@code String}; {@code null} for None. Nesting is kept.
     *
     * @return the result; its tensors are owned by the current scope
     * @throws IllegalStateException if no scope is open or the module is closed
     * @throws IllegalArgumentException for an argument of another Java type
     * @throws TorchException if the script rejects the arguments (the message lists their shapes and
     *     gives the script's reason) or returns a kind of value that has no Java form here
     */
    public Object forwardValue(Object... inputs) {
        checkOpen();
        Objects.requireNonNull(inputs, "inputs");
        if (!TensorScope.isOpen()) {
            throw new IllegalStateException("ScriptModule.forward: no TensorScope is open on thread "
                    + Thread.currentThread().getName() + "; the output belongs to the current scope");
        }
        Object[] args = new Object[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            args[i] = inputs[i] instanceof Tensor t ? TensorAccess.handle(t) : inputs[i];
        }
        return scoped(script.call(args));
    }

    /** Gives every native tensor of a converted result to the current scope (which frees them on failure too). */
    private static Object scoped(Object v) {
        if (v instanceof NativeTensor h) {
            return TensorAccess.scoped(h, "ScriptModule.forward");
        } else if (v instanceof List<?> l) {
            List<Object> out = new ArrayList<>(l.size());
            for (Object e : l) {
                out.add(scoped(e));
            }
            return Collections.unmodifiableList(out);
        } else if (v instanceof Map<?, ?> m) {
            Map<Object, Object> out = new LinkedHashMap<>();
            m.forEach((k, e) -> out.put(scoped(k), scoped(e)));
            return Collections.unmodifiableMap(out);
        }
        return v;
    }

    /** The script's parameters under dotted names; they belong to this module. */
    @Override
    public Map<String, Tensor> namedParameters() {
        return new LinkedHashMap<>(params);
    }

    /** The script's buffers under dotted names; they belong to this module. */
    @Override
    public Map<String, Tensor> namedBuffers() {
        return new LinkedHashMap<>(bufs);
    }

    /** Parameters then buffers, as {@code torch.jit.ScriptModule.state_dict()} lists them per module. */
    @Override
    public Map<String, Tensor> stateDict() {
        checkOpen();
        Map<String, Tensor> out = new LinkedHashMap<>(params);
        out.putAll(bufs);
        return out;
    }

    /** Sets the script's training flag too (affects scripted dropout and batch norm). */
    @Override
    public ScriptModule train(boolean on) {
        checkOpen();
        super.train(on);
        script.train(on);
        return this;
    }

    /** Moves the whole script (parameters, buffers, tensor attributes) to {@code device}, in place. */
    @Override
    public ScriptModule to(Device device) {
        checkOpen();
        Objects.requireNonNull(device, "device");
        script.to(device);
        return this;
    }

    /** Frees the native module and the parameter aliases; idempotent. */
    @Override
    public void close() {
        if (isClosed()) {
            return;
        }
        super.close(); // frees the parameter and buffer aliases: they live in this module's owner()
        script.close();
    }

    @Override
    protected String extraRepr() {
        return "file=" + file.getFileName() + ", parameters=" + params.size();
    }
}
