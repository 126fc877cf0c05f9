package dev.jtorch.nn;

/**
 * Holds modules by name, in insertion order, as PyTorch's {@code nn.ModuleDict}: a child
 * {@code "enc"} puts its parameters under {@code heads.enc.weight}. No {@code forward}.
 *
 * @param <M> the element type ({@code Module} for mixed maps)
 */
public final class ModuleDict<M extends Module> extends DictContainer<M> {
    /** An empty dictionary. */
    public ModuleDict() {
        super(false);
    }

    /**
     * Adds {@code module} under {@code name}; returns this dictionary.
     *
     * @throws IllegalArgumentException if the name is taken, empty or contains a dot
     */
    public ModuleDict<M> put(String name, M module) {
        putItem(name, register(name, module));
        return this;
    }
}
