package dev.jtorch.nn;

import dev.jtorch.tensor.Tensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;

/**
 * Holds modules in a list, as PyTorch's {@code nn.ModuleList}: children named {@code "0"},
 * {@code "1"}, ... so their parameters appear as {@code layers.0.weight}. It registers the modules
 * but has no {@code forward}; the owner decides how to call them.
 *
 * @param <M> the element type ({@code Module} for mixed lists)
 */
public final class ModuleList<M extends Module> extends Module implements Iterable<M> {
    private final List<M> items = new ArrayList<>();

    /** An empty list. */
    public ModuleList() {}

    /** A list holding {@code modules} in order. */
    @SafeVarargs
    public static <M extends Module> ModuleList<M> of(M... modules) {
        ModuleList<M> l = new ModuleList<>();
        for (M m : modules) {
            l.add(m);
        }
        return l;
    }

    /** Appends {@code module} under the next index; returns this list. */
    public ModuleList<M> add(M module) {
        items.add(register(Integer.toString(items.size()), module));
        return this;
    }

    /** Appends every module of {@code modules}, in order; returns this list. */
    public ModuleList<M> extend(Iterable<? extends M> modules) {
        for (M m : modules) {
            add(m);
        }
        return this;
    }

    /**
     * The module at {@code index} (negative counts from the end, as in Python).
     *
     * @throws IndexOutOfBoundsException naming the index and the size
     */
    public M get(int index) {
        int i = index < 0 ? index + items.size() : index;
        if (i < 0 || i >= items.size()) {
            throw new IndexOutOfBoundsException("ModuleList index " + index + " out of range for " + items.size()
                    + " modules");
        }
        return items.get(i);
    }

    /** The number of modules. */
    public int size() {
        return items.size();
    }

    /** The modules, in order (read-only). */
    public List<M> asList() {
        return Collections.unmodifiableList(items);
    }

    @Override
    public Iterator<M> iterator() {
        return asList().iterator();
    }

    /**
     * Not defined, as in PyTorch.
     *
     * @throws UnsupportedOperationException always
     */
    @Override
    public Tensor forward(Tensor input) {
        throw new UnsupportedOperationException("ModuleList has no forward: iterate over its modules");
    }
}
