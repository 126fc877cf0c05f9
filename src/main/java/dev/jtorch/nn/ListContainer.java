package dev.jtorch.nn;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;

/**
 * What {@link ModuleList} and {@link ParameterList} share: elements registered under the keys
 * {@code "0"}, {@code "1"}, ..., read by index (negative from the end, as in Python).
 *
 * @param <T> the element type
 */
abstract sealed class ListContainer<T> extends Container implements Iterable<T> permits ModuleList, ParameterList {
    private final List<T> items = new ArrayList<>();

    /** A list of parameters (tensors it owns and frees), else of modules. */
    ListContainer(boolean parameters) {
        super(parameters);
    }

    /** The key the next element is registered under. */
    final String nextKey() {
        return Integer.toString(items.size());
    }

    /** Appends {@code item}, already registered under {@link #nextKey()}; returns it. */
    final <E extends T> E append(E item) {
        items.add(item);
        return item;
    }

    /**
     * The element at {@code index} (negative counts from the end, as in Python).
     *
     * @throws IndexOutOfBoundsException naming the index and the size
     */
    public final T get(int index) {
        checkReadable();
        int i = index < 0 ? index + items.size() : index;
        if (i < 0 || i >= items.size()) {
            throw new IndexOutOfBoundsException(getClass().getSimpleName() + " index " + index + " out of range for "
                    + items.size() + " " + elementsName());
        }
        return items.get(i);
    }

    /** The number of elements. */
    public final int size() {
        return items.size();
    }

    /** The elements, in order (read-only); they belong to this list. */
    public final List<T> asList() {
        checkReadable();
        return elements();
    }

    /** The elements, read-only, without {@link #checkReadable()} (for the repr of a closed list). */
    final List<T> elements() {
        return Collections.unmodifiableList(items);
    }

    @Override
    public final Iterator<T> iterator() {
        return asList().iterator();
    }

    @Override
    final String usage() {
        return "iterate over its " + elementsName();
    }
}
