package dev.jtorch.nn;

import dev.jtorch.tensor.Tensor;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Holds modules by name, in insertion order, as PyTorch's {@code nn.ModuleDict}: a child
 * {@code "enc"} puts its parameters under {@code heads.enc.weight}. No {@code forward}.
 *
 * @param <M> the element type ({@code Module} for mixed maps)
 */
public final class ModuleDict<M extends Module> extends Module {
    private final Map<String, M> items = new LinkedHashMap<>();

    /** An empty dictionary. */
    public ModuleDict() {}

    /**
     * Adds {@code module} under {@code name}; returns this dictionary.
     *
     * @throws IllegalArgumentException if the name is taken, empty or contains a dot
     */
    public ModuleDict<M> put(String name, M module) {
        items.put(name, register(name, module));
        return this;
    }

    /** The module under {@code name}, or null. */
    public M get(String name) {
        return items.get(name);
    }

    /** Whether {@code name} is present. */
    public boolean containsKey(String name) {
        return items.containsKey(name);
    }

    /** The number of modules. */
    public int size() {
        return items.size();
    }

    /** The modules by name, in insertion order (read-only). */
    public Map<String, M> asMap() {
        return Collections.unmodifiableMap(items);
    }

    /**
     * Not defined, as in PyTorch.
     *
     * @throws UnsupportedOperationException always
     */
    @Override
    public Tensor forward(Tensor input) {
        throw new UnsupportedOperationException("ModuleDict has no forward: look its modules up by name");
    }
}
