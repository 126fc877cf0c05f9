package dev.jtorch.nn;

import dev.jtorch.DType;
import dev.jtorch.Device;
import dev.jtorch.MemoryFormat;
import dev.jtorch.internal.NativeTensor;
import dev.jtorch.tensor.Tensor;
import dev.jtorch.tensor.TensorOwner;
import dev.jtorch.tensor.TensorScope;
import dev.jtorch.tensor.access.TensorAccess;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Base class of every network, as PyTorch's {@code nn.Module}: children, parameters and buffers
 * registered by name, a {@link #forward} and a state dict with PyTorch's keys.
 *
 * <pre>{@code
 * final class SimpleNN extends Module {
 *     private final Linear fc1 = register("fc1", new Linear(784, 128));
 *     private final Linear fc2 = register("fc2", new Linear(128, 10));
 *     @Override public Tensor forward(Tensor x) {
 *         return fc2.forward(F.relu(fc1.forward(x.view(-1, 784))));
 *     }
 * }
 * }</pre>
 *
 * <p><b>Ownership.</b> A module owns its parameters, buffers and children from construction until
 * {@link #close()}, whatever scope it was built in: they live in the module's {@link TensorOwner}
 * ({@link #owner()}), which {@code close()} frees. Parameters can be made in a constructor with no
 * scope open by passing a factory, which runs in a scope of its own:
 *
 * <pre>{@code
 * final class Affine extends Module {
 *     private final Tensor w = registerParameter("w", () -> Tensor.randn(3).mul(0.1));
 *     private final Tensor b = registerParameter("b", () -> Tensor.zeros(3));
 *     @Override public Tensor forward(Tensor x) { return x.mul(w).add(b); }
 * }
 * }</pre>
 *
 * <p>The overloads taking a tensor need that tensor made first, in an open scope as every op is;
 * the module then takes its own handle on the data. {@code forward} creates its results in the
 * caller's current scope, so calling it with no scope open throws instead of leaking
 * intermediates. Modules are safe to call from several threads at once in eval mode (each thread
 * with its own scope and guards); training and {@code to()} are single-threaded.
 */
public abstract class Module implements AutoCloseable {
    private final Map<String, Module> children = new LinkedHashMap<>();
    private final Map<String, Tensor> parameters = new LinkedHashMap<>();
    private final Map<String, Tensor> buffers = new LinkedHashMap<>();
    /** Buffers left out of the state dict (PyTorch's {@code persistent=False}). */
    private final Set<String> nonPersistent = new HashSet<>();
    /** Frees the parameters, buffers and any tensor a subclass adopts; any thread may close a module. */
    private final TensorOwner owner = TensorOwner.ofShared();
    private boolean training = true;
    private boolean closed;

    /**
     * Runs the module on {@code input}.
     *
     * @return a tensor owned by the current scope
     * @throws IllegalStateException if no scope is open or the module is closed
     */
    public abstract Tensor forward(Tensor input);

    // ================================================================ registration

    private void checkName(String name) {
        if (name == null || name.isEmpty() || name.contains(".")) {
            throw new IllegalArgumentException("module member name must be non-empty and contain no '.', got '" + name + "'");
        }
        if (children.containsKey(name) || parameters.containsKey(name) || buffers.containsKey(name)) {
            throw new IllegalArgumentException("'" + name + "' is already registered in " + getClass().getSimpleName());
        }
    }

    /**
     * Registers {@code child} under {@code name}; its parameters appear as {@code name.*}.
     *
     * @return {@code child}, so that fields can be initialised in one line
     */
    public final <M extends Module> M register(String name, M child) {
        checkName(name);
        if (child == this) {
            throw new IllegalArgumentException("a module cannot contain itself");
        }
        children.put(name, child);
        return child;
    }

    /**
     * Registers a trainable parameter initialised from {@code initial}, as PyTorch's
     * {@code self.name = nn.Parameter(initial)}. The module gets its own handle; {@code initial}
     * stays owned by its scope or module.
     *
     * <p>When {@code initial} is already a parameter (a leaf that requires grad, e.g. another
     * module's {@code weight()}), the new entry is that same tensor, not a copy: the weights are
     * <em>tied</em> as PyTorch's {@code self.decoder.weight = self.encoder.weight} ties them. One
     * gradient accumulates for both, {@link #parameters()} lists it once, and the state dict has
     * both keys. Otherwise the data is shared, detached from any graph, and made a leaf that
     * requires grad.
     *
     * @return the parameter, owned by this module
     * @throws IllegalArgumentException if the name is taken, empty or dotted
     */
    protected final Tensor registerParameter(String name, Tensor initial) {
        checkName(name);
        NativeTensor src = TensorAccess.handle(initial);
        NativeTensor h;
        if (src.requiresGrad() && src.isLeaf()) {
            h = src.alias();
        } else {
            h = src.detach();
            h.setRequiresGrad(true);
        }
        Tensor p = TensorAccess.owned(h, owner, qualified(name));
        parameters.put(name, p);
        return p;
    }

    /**
     * Registers a trainable parameter made by {@code factory}, which runs in a scope of its own:
     * works in a constructor or field initializer with no scope open. Whatever else the factory
     * makes is freed at once.
     *
     * @return the parameter, owned by this module
     */
    protected final Tensor registerParameter(String name, Supplier<Tensor> factory) {
        checkName(name);
        try (TensorScope s = TensorScope.open()) {
            return registerParameter(name, factory.get());
        }
    }

    /**
     * Registers a buffer (state that is saved but not trained, e.g. running statistics), in the
     * state dict as PyTorch's {@code register_buffer(name, tensor)}.
     *
     * @return the buffer, owned by this module
     */
    protected final Tensor registerBuffer(String name, Tensor initial) {
        return registerBuffer(name, initial, true);
    }

    /**
     * Registers a buffer; a non-persistent one ({@code persistent = false}, e.g. a cached causal
     * mask or position table) moves with {@link #to} and is listed by {@link #namedBuffers()} but is
     * not in {@link #stateDict()}, so it is neither saved nor expected by {@link #loadStateDict}.
     *
     * @return the buffer, owned by this module
     */
    protected final Tensor registerBuffer(String name, Tensor initial, boolean persistent) {
        checkName(name);
        Tensor b = TensorAccess.owned(TensorAccess.handle(initial).detach(), owner, qualified(name));
        buffers.put(name, b);
        if (!persistent) {
            nonPersistent.add(name);
        }
        return b;
    }

    /**
     * Registers a buffer made by {@code factory}, in a scope of its own; see
     * {@link #registerParameter(String, Supplier)}.
     *
     * @return the buffer, owned by this module
     */
    protected final Tensor registerBuffer(String name, Supplier<Tensor> factory) {
        return registerBuffer(name, factory, true);
    }

    /**
     * {@link #registerBuffer(String, Tensor, boolean)} with the tensor made by {@code factory} in a
     * scope of its own.
     *
     * @return the buffer, owned by this module
     */
    protected final Tensor registerBuffer(String name, Supplier<Tensor> factory, boolean persistent) {
        checkName(name);
        try (TensorScope s = TensorScope.open()) {
            return registerBuffer(name, factory.get(), persistent);
        }
    }

    /** Adopts a native parameter handle (for leaf layers backed by libtorch modules). */
    final Tensor adoptParameter(String name, NativeTensor h) {
        checkName(name);
        Tensor p = TensorAccess.owned(h, owner, qualified(name));
        parameters.put(name, p);
        return p;
    }

    /** Adopts a native buffer handle (running statistics of libtorch-backed layers). */
    final Tensor adoptBuffer(String name, NativeTensor h) {
        checkName(name);
        Tensor b = TensorAccess.owned(h, owner, qualified(name));
        buffers.put(name, b);
        return b;
    }

    /**
     * The owner of this module's parameters and buffers, closed by {@link #close()}. Subclasses may
     * {@link TensorOwner#adopt adopt} or {@link TensorOwner#create create} other long-lived tensors
     * in it (constants, masks) that are not part of the state dict.
     */
    protected final TensorOwner owner() {
        return owner;
    }

    private String qualified(String name) {
        return getClass().getSimpleName() + "." + name;
    }

    // ================================================================ introspection

    /** Direct children by name, in registration order. */
    public Map<String, Module> namedChildren() {
        return Collections.unmodifiableMap(children);
    }

    /** Direct children, in registration order. */
    public List<Module> children() {
        return new ArrayList<>(children.values());
    }

    /**
     * This module (under {@code ""}) and every descendant under its dotted path
     * ({@code layers.0.self_attn}), depth first in registration order, each module once (a child
     * registered twice keeps its first path), as PyTorch's {@code named_modules()}.
     */
    public Map<String, Module> namedModules() {
        Map<String, Module> out = new LinkedHashMap<>();
        Set<Module> seen = Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        collectModules("", out, seen);
        return out;
    }

    private void collectModules(String prefix, Map<String, Module> out, Set<Module> seen) {
        if (!seen.add(this)) {
            return;
        }
        out.put(prefix, this);
        children.forEach((k, c) -> c.collectModules(prefix.isEmpty() ? k : prefix + "." + k, out, seen));
    }

    /** {@link #namedModules()}'s modules: this one first, then every descendant. */
    public List<Module> modules() {
        return new ArrayList<>(namedModules().values());
    }

    /**
     * Calls {@code fn} on every descendant and then on this module (children first, as PyTorch's
     * {@code apply}), e.g. to initialise weights by layer type.
     *
     * @return this module
     */
    public Module apply(Consumer<Module> fn) {
        for (Module c : children.values()) {
            c.apply(fn);
        }
        fn.accept(this);
        return this;
    }

    /**
     * The descendant at dotted {@code path} ({@code "layers.0.linear1"}); {@code ""} is this module.
     *
     * @throws IllegalArgumentException naming the first missing segment
     */
    public Module getSubmodule(String path) {
        if (path.isEmpty()) {
            return this;
        }
        Module m = this;
        StringBuilder walked = new StringBuilder();
        for (String part : path.split("\\.", -1)) {
            Module next = m.children.get(part);
            if (next == null) {
                throw new IllegalArgumentException(getClass().getSimpleName() + " has no submodule '" + path + "': "
                        + (walked.length() == 0 ? "it" : "'" + walked + "' (" + m.getClass().getSimpleName() + ")")
                        + " has no child '" + part + "' (children: " + m.children.keySet() + ")");
            }
            if (walked.length() > 0) {
                walked.append('.');
            }
            walked.append(part);
            m = next;
        }
        return m;
    }

    /**
     * The parameter at dotted {@code path} ({@code "fc1.weight"}), as PyTorch's
     * {@code get_parameter}; it belongs to the module.
     *
     * @throws IllegalArgumentException if there is no such parameter
     */
    public Tensor getParameter(String path) {
        Tensor p = lookup(path, true);
        if (p == null) {
            throw new IllegalArgumentException(getClass().getSimpleName() + " has no parameter '" + path + "'");
        }
        return p;
    }

    /**
     * The buffer at dotted {@code path} ({@code "bn1.running_mean"}), persistent or not.
     *
     * @throws IllegalArgumentException if there is no such buffer
     */
    public Tensor getBuffer(String path) {
        Tensor b = lookup(path, false);
        if (b == null) {
            throw new IllegalArgumentException(getClass().getSimpleName() + " has no buffer '" + path + "'");
        }
        return b;
    }

    private Tensor lookup(String path, boolean param) {
        int dot = path.lastIndexOf('.');
        Module m = this;
        if (dot >= 0) {
            for (String part : path.substring(0, dot).split("\\.", -1)) {
                m = m == null ? null : m.children.get(part);
            }
        }
        Tensor t = m == null ? null : (param ? m.parameters : m.buffers).get(path.substring(dot + 1));
        // modules that list tensors they do not register (ScriptModule) answer through their listing
        return t != null ? t : (param ? namedParameters() : namedBuffers()).get(path);
    }

    /**
     * All parameters, this module's first, then each child's with a dotted prefix
     * ({@code fc1.weight}). A tied parameter is listed once, under its first name, as PyTorch's
     * {@code named_parameters()}.
     */
    public Map<String, Tensor> namedParameters() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        collect("", out, true, false, true);
        return unique(out);
    }

    /** All buffers with dotted names, persistent or not, each tensor once. */
    public Map<String, Tensor> namedBuffers() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        collect("", out, false, true, true);
        return unique(out);
    }

    /** Drops entries whose tensor (same TensorImpl) came earlier: tied weights are one parameter. */
    private static Map<String, Tensor> unique(Map<String, Tensor> all) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        List<NativeTensor> kept = new ArrayList<>();
        next:
        for (Map.Entry<String, Tensor> e : all.entrySet()) {
            NativeTensor h = TensorAccess.handle(e.getValue());
            for (NativeTensor k : kept) {
                if (k.sameAs(h)) {
                    continue next;
                }
            }
            kept.add(h);
            out.put(e.getKey(), e.getValue());
        }
        return out;
    }

    /** All parameters, in {@link #namedParameters()} order (tied ones once); they belong to this module. */
    public List<Tensor> parameters() {
        return new ArrayList<>(namedParameters().values());
    }

    /** All buffers, in {@link #namedBuffers()} order; they belong to this module. */
    public List<Tensor> buffers() {
        return new ArrayList<>(namedBuffers().values());
    }

    /** Total number of parameter elements (tied parameters counted once). */
    public long parameterCount() {
        long n = 0;
        for (Tensor p : namedParameters().values()) {
            n += p.numel();
        }
        return n;
    }

    /**
     * Sets {@code requires_grad} on every parameter, as PyTorch's {@code requires_grad_()}:
     * {@code requiresGrad(false)} freezes the module (e.g. a pretrained backbone). Frozen
     * parameters stay in the state dict and get no gradient.
     *
     * @return this module
     */
    public Module requiresGrad(boolean on) {
        checkOpen();
        for (Tensor p : namedParameters().values()) {
            TensorAccess.handle(p).setRequiresGrad(on);
        }
        return this;
    }

    /**
     * Ties the parameter at dotted {@code path} to {@code parameter}: from now on both names hold
     * one tensor (one value, one gradient), as PyTorch's {@code model.decoder.weight =
     * model.encoder.weight}. Layers that read their own parameter field see the tied tensor; the
     * previous value is dropped.
     *
     * @throws IllegalArgumentException if there is no parameter at {@code path}, if
     *     {@code parameter} is not a parameter (a leaf that requires grad), or if shape, dtype or
     *     device differ
     */
    public void tieParameter(String path, Tensor parameter) {
        checkOpen();
        Tensor target = getParameter(path);
        NativeTensor src = TensorAccess.handle(parameter);
        if (!src.requiresGrad() || !src.isLeaf()) {
            throw new IllegalArgumentException("tieParameter(" + path + "): the tensor is not a parameter (a leaf"
                    + " that requires grad); pass another module's parameter");
        }
        NativeTensor dst = TensorAccess.handle(target);
        if (!java.util.Arrays.equals(src.shape(), dst.shape()) || src.dtype() != dst.dtype()
                || !src.device().equals(dst.device())) {
            throw new IllegalArgumentException("tieParameter(" + path + "): parameter is " + target.shape() + " "
                    + dst.dtype() + " on " + dst.device() + ", the tensor is " + parameter.shape() + " "
                    + src.dtype() + " on " + src.device());
        }
        dst.rebind(src);
    }

    /**
     * Parameters and persistent buffers under PyTorch's state-dict keys, in PyTorch's order (per
     * module: parameters, then buffers, then children); a tied parameter appears under each of its
     * names. The tensors are the module's own: read or copy them, do not close them.
     */
    public Map<String, Tensor> stateDict() {
        checkOpen();
        Map<String, Tensor> out = new LinkedHashMap<>();
        collect("", out, true, true, false);
        return out;
    }

    private void collect(String prefix, Map<String, Tensor> out, boolean params, boolean bufs, boolean transientToo) {
        if (params) {
            parameters.forEach((k, v) -> out.put(prefix + k, v));
        }
        if (bufs) {
            buffers.forEach((k, v) -> {
                if (transientToo || !nonPersistent.contains(k)) {
                    out.put(prefix + k, v);
                }
            });
        }
        children.forEach((k, c) -> c.collect(prefix + k + ".", out, params, bufs, transientToo));
    }

    // ================================================================ loading

    /** {@link #loadStateDict(Map, boolean)} with {@code strict = true}. */
    public LoadResult loadStateDict(Map<String, Tensor> source) {
        return loadStateDict(source, true);
    }

    /**
     * Copies values from {@code source} into this module's parameters and buffers, converting
     * dtype and device as needed (as PyTorch's {@code load_state_dict}).
     *
     * @param strict when true, missing or unexpected keys are an error; when false they are
     *     returned and the matching keys are loaded
     * @return the keys that were missing from {@code source} and those it had in excess
     * @throws StateDictException listing every missing and unexpected key (strict) and every shape
     *     mismatch (always); nothing is modified when it is thrown
     */
    public LoadResult loadStateDict(Map<String, Tensor> source, boolean strict) {
        Map<String, Tensor> own = stateDict();
        List<String> missing = new ArrayList<>();
        List<String> unexpected = new ArrayList<>();
        List<String> mismatched = new ArrayList<>();
        for (Map.Entry<String, Tensor> e : own.entrySet()) {
            Tensor src = source.get(e.getKey());
            if (src == null) {
                missing.add(e.getKey());
            } else if (!src.shape().equals(e.getValue().shape())) {
                mismatched.add(e.getKey() + ": expected " + e.getValue().shape() + ", got " + src.shape());
            }
        }
        for (String k : source.keySet()) {
            if (!own.containsKey(k)) {
                unexpected.add(k);
            }
        }
        if (!mismatched.isEmpty() || (strict && (!missing.isEmpty() || !unexpected.isEmpty()))) {
            throw new StateDictException(getClass().getSimpleName(), missing, unexpected, mismatched, strict);
        }
        for (Map.Entry<String, Tensor> e : own.entrySet()) {
            Tensor src = source.get(e.getKey());
            if (src != null) {
                TensorAccess.handle(e.getValue()).copyFrom(TensorAccess.handle(src));
            }
        }
        return new LoadResult(List.copyOf(missing), List.copyOf(unexpected));
    }

    // ================================================================ modes and devices

    /** Training mode for this module and all children (affects dropout, batch norm). */
    public Module train() {
        return train(true);
    }

    /** Sets training mode recursively; {@code train(false)} is {@link #eval()}. */
    public Module train(boolean on) {
        training = on;
        onTrain(on);
        for (Module c : children.values()) {
            c.train(on);
        }
        return this;
    }

    /** Evaluation mode for this module and all children. */
    public Module eval() {
        return train(false);
    }

    /** Whether this module is in training mode. */
    public boolean isTraining() {
        return training;
    }

    /** Hook for leaf layers whose native module has its own training flag. */
    void onTrain(boolean on) {}

    /**
     * Moves every parameter and buffer (and existing gradient) to {@code device}, in place:
     * optimizers built on the parameters keep working.
     */
    public Module to(Device device) {
        return convert(device, null);
    }

    /** Converts floating-point parameters and buffers to {@code dtype}, in place. */
    public Module to(DType dtype) {
        if (!dtype.isFloatingPoint()) {
            throw new IllegalArgumentException("Module.to(" + dtype + "): only floating-point dtypes are allowed");
        }
        return convert(null, dtype);
    }

    /**
     * Stores parameters and buffers (and existing gradients) in {@code format}, in place, as PyTorch's
     * {@code module.to(memory_format=...)}: {@link MemoryFormat#CHANNELS_LAST} converts the 4-D ones
     * (convolution weights) to NHWC order, {@link MemoryFormat#CHANNELS_LAST_3D} the 5-D ones,
     * {@link MemoryFormat#CONTIGUOUS} both back; the others and {@link MemoryFormat#PRESERVE} are left
     * as they are. Values, shapes and state-dict keys do not change; optimizers built on the
     * parameters keep working. Channels-last weights with channels-last inputs
     * ({@code x.contiguous(MemoryFormat.CHANNELS_LAST)}) keep a CNN's activations in that layout.
     */
    public Module to(MemoryFormat format) {
        checkOpen();
        java.util.Objects.requireNonNull(format, "format");
        List<Tensor> all = parameters();
        all.addAll(buffers());
        for (Tensor t : all) {
            NativeTensor h = TensorAccess.handle(t);
            long dim = h.dim();
            boolean applies = switch (format) {
                case CHANNELS_LAST -> dim == 4;
                case CHANNELS_LAST_3D -> dim == 5;
                case CONTIGUOUS -> dim == 4 || dim == 5;
                case PRESERVE -> false;
            };
            if (applies && !h.isContiguous(format)) {
                replace(h, v -> v.contiguous(format));
            }
        }
        return this;
    }

    private Module convert(Device device, DType dtype) {
        checkOpen();
        List<Tensor> all = parameters();
        all.addAll(buffers());
        for (Tensor t : all) {
            NativeTensor h = TensorAccess.handle(t);
            DType target = dtype != null && h.dtype().isFloatingPoint() ? dtype : h.dtype();
            Device dev = device != null ? device : h.device();
            if (target != h.dtype() || !dev.equals(h.device())) {
                replace(h, v -> v.to(dev, target));
            }
        }
        return this;
    }

    /**
     * Swaps the data of parameter or buffer {@code h}, and of its gradient if it has one, for
     * {@code convert} of them, in place: the tensor keeps its identity (optimizers and native
     * modules hold it), as PyTorch's {@code module._apply} does with {@code param.data = ...}.
     */
    private static void replace(NativeTensor h, java.util.function.UnaryOperator<NativeTensor> convert) {
        NativeTensor moved = convert.apply(h);
        try {
            h.setData(moved);
        } finally {
            moved.close();
        }
        NativeTensor grad = h.grad();
        if (grad != null) {
            try (NativeTensor.Closer c = grad.closer()) {
                NativeTensor movedGrad = convert.apply(grad);
                try {
                    h.setGrad(movedGrad);
                } finally {
                    movedGrad.close();
                }
            }
        }
    }

    /** Sets every parameter's gradient to none (PyTorch's {@code zero_grad(set_to_none=True)}). */
    public void zeroGrad() {
        for (Tensor p : namedParameters().values()) {
            TensorAccess.handle(p).clearGrad();
        }
    }

    // ================================================================ lifetime

    /** Throws if this module was closed. */
    protected final void checkOpen() {
        if (closed) {
            throw new IllegalStateException(getClass().getSimpleName() + " used after close()");
        }
    }

    /**
     * {@code owned} once {@link #checkOpen()} passes: what an accessor of a parameter, buffer or
     * child this module owns returns, so that a closed module never hands one out.
     *
     * @throws IllegalStateException if this module was closed
     */
    final <T> T whileOpen(T owned) {
        checkOpen();
        return owned;
    }

    /** Whether {@link #close()} was called. */
    public boolean isClosed() {
        return closed;
    }

    /** Frees native resources of a leaf layer; called once by {@link #close()}. */
    void closeNative() {}

    /** Frees this module, its children, parameters and buffers; idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Module c : children.values()) {
            c.close();
        }
        owner.close();
        closeNative();
    }

    /** A one-line description of this layer's configuration, e.g. {@code in_features=784, ...}. */
    protected String extraRepr() {
        return "";
    }

    /** PyTorch-style tree: {@code SimpleNN(\n  (fc1): Linear(in_features=784, ...)\n ...)}. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(getClass().getSimpleName()).append('(').append(extraRepr());
        if (!children.isEmpty()) {
            sb.append('\n');
            children.forEach((k, c) -> sb.append("  (").append(k).append("): ")
                    .append(c.toString().replace("\n", "\n  ")).append('\n'));
        }
        return sb.append(')').toString();
    }
}
