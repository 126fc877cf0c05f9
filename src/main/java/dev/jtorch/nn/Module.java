package dev.jtorch.nn;

import dev.jtorch.DType;
import dev.jtorch.Device;
import dev.jtorch.internal.NativeTensor;
import dev.jtorch.tensor.Tensor;
import dev.jtorch.tensor.TensorOwner;
import dev.jtorch.tensor.TensorScope;
import dev.jtorch.tensor.access.TensorAccess;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
     * Registers a trainable parameter initialised from {@code initial}'s data. The module gets its
     * own handle (a leaf with {@code requires_grad}); {@code initial} stays owned by its scope.
     *
     * @return the parameter, owned by this module
     */
    protected final Tensor registerParameter(String name, Tensor initial) {
        checkName(name);
        NativeTensor h = TensorAccess.handle(initial).detach();
        h.setRequiresGrad(true);
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
     * Registers a buffer (state that is saved but not trained, e.g. running statistics).
     *
     * @return the buffer, owned by this module
     */
    protected final Tensor registerBuffer(String name, Tensor initial) {
        checkName(name);
        Tensor b = TensorAccess.owned(TensorAccess.handle(initial).detach(), owner, qualified(name));
        buffers.put(name, b);
        return b;
    }

    /**
     * Registers a buffer made by {@code factory}, in a scope of its own; see
     * {@link #registerParameter(String, Supplier)}.
     *
     * @return the buffer, owned by this module
     */
    protected final Tensor registerBuffer(String name, Supplier<Tensor> factory) {
        checkName(name);
        try (TensorScope s = TensorScope.open()) {
            return registerBuffer(name, factory.get());
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

    /** All parameters, this module's first, then each child's with a dotted prefix ({@code fc1.weight}). */
    public Map<String, Tensor> namedParameters() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        collect("", out, true, false);
        return out;
    }

    /** All buffers with dotted names. */
    public Map<String, Tensor> namedBuffers() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        collect("", out, false, true);
        return out;
    }

    /** All parameters, in {@link #namedParameters()} order; they belong to this module. */
    public List<Tensor> parameters() {
        return new ArrayList<>(namedParameters().values());
    }

    /** Total number of parameter elements. */
    public long parameterCount() {
        long n = 0;
        for (Tensor p : namedParameters().values()) {
            n += p.numel();
        }
        return n;
    }

    /**
     * Parameters and buffers under PyTorch's state-dict keys, in PyTorch's order (per module:
     * parameters, then buffers, then children). The tensors are the module's own: read or copy
     * them, do not close them.
     */
    public Map<String, Tensor> stateDict() {
        checkOpen();
        Map<String, Tensor> out = new LinkedHashMap<>();
        collect("", out, true, true);
        return out;
    }

    private void collect(String prefix, Map<String, Tensor> out, boolean params, boolean bufs) {
        if (params) {
            parameters.forEach((k, v) -> out.put(prefix + k, v));
        }
        if (bufs) {
            buffers.forEach((k, v) -> out.put(prefix + k, v));
        }
        children.forEach((k, c) -> c.collect(prefix + k + ".", out, params, bufs));
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

    private Module convert(Device device, DType dtype) {
        checkOpen();
        for (Tensor t : stateDict().values()) {
            NativeTensor h = TensorAccess.handle(t);
            DType target = dtype != null && h.dtype().isFloatingPoint() ? dtype : h.dtype();
            Device dev = device != null ? device : h.device();
            if (target == h.dtype() && dev.equals(h.device())) {
                continue;
            }
            NativeTensor moved = h.to(dev, target);
            try {
                h.setData(moved);
            } finally {
                moved.close();
            }
            NativeTensor grad = h.grad();
            if (grad != null) {
                try (NativeTensor.Closer c = grad.closer()) {
                    NativeTensor movedGrad = grad.to(dev, target);
                    try {
                        h.setGrad(movedGrad);
                    } finally {
                        movedGrad.close();
                    }
                }
            }
        }
        return this;
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
