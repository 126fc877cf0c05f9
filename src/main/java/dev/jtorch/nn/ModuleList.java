package dev.jtorch.nn;

import java.util.Arrays;

/**
 * Holds modules in a list, as PyTorch's {@code nn.ModuleList}: children named {@code "0"},
 * {@code "1"}, ... so their parameters appear as {@code layers.0.weight}. It registers the modules
 * but has no {@code forward}; the owner decides how to call them.
 *
 * @param <M> the element type ({@code Module} for mixed lists)
 */
public final class ModuleList<M extends Module> extends ListContainer<M> {
    /** An empty list. */
    public ModuleList() {
        super(false);
    }

    /** A list holding {@code modules} in order. */
    @SafeVarargs
    public static <M extends Module> ModuleList<M> of(M... modules) {
        return new ModuleList<M>().extend(Arrays.asList(modules));
    }

    /** Appends {@code module} under the next index; returns this list. */
    public ModuleList<M> add(M module) {
        append(register(nextKey(), module));
        return this;
    }

    /** Appends every module of {@code modules}, in order; returns this list. */
    public ModuleList<M> extend(Iterable<? extends M> modules) {
        for (M m : modules) {
            add(m);
        }
        return this;
    }
}
