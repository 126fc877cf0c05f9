package dev.jtorch.nn;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What {@link ModuleDict} and {@link ParameterDict} share: elements registered under their own
 * names, in insertion order, looked up by name.
 *
 * @param <T> the element type
 */
abstract sealed class DictContainer<T> extends Container permits ModuleDict, ParameterDict {
    private final Map<String, T> items = new LinkedHashMap<>();

    /** A dictionary of parameters (tensors it owns and frees), else of modules. */
    DictContainer(boolean parameters) {
        super(parameters);
    }

    /** Records {@code item}, already registered under {@code name}; returns it. */
    final <E extends T> E putItem(String name, E item) {
        items.put(name, item);
        return item;
    }

    /** The element under {@code name}, or null. */
    public final T get(String name) {
        checkReadable();
        return items.get(name);
    }

    /** Whether {@code name} is present. */
    public final boolean containsKey(String name) {
        return items.containsKey(name);
    }

    /** The number of elements. */
    public final int size() {
        return items.size();
    }

    /** The elements by name, in insertion order (read-only); they belong to this dictionary. */
    public final Map<String, T> asMap() {
        checkReadable();
        return elements();
    }

    /** The elements, read-only, without {@link #checkReadable()} (for the repr of a closed dictionary). */
    final Map<String, T> elements() {
        return Collections.unmodifiableMap(items);
    }

    @Override
    final String usage() {
        return "look its " + elementsName() + " up by name";
    }
}
