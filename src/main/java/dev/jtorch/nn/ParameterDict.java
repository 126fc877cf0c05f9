package dev.jtorch.nn;

import dev.jtorch.tensor.Tensor;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Holds parameters by name, in insertion order, as PyTorch's {@code nn.ParameterDict}: an entry
 * {@code "scale"} of a field registered as {@code "extra"} is the state-dict key
 * {@code extra.scale}. It has no {@code forward}.
 *
 * <p><b>Ownership.</b> The parameters belong to this dictionary (and so to the module it is
 * registered in) and are freed by {@link #close()}. Putting a tensor that is already a parameter
 * ties it, as in PyTorch.
 */
public final class ParameterDict extends Module {
    private final Map<String, Tensor> items = new LinkedHashMap<>();

    /** An empty dictionary. */
    public ParameterDict() {}

    /**
     * Adds a parameter initialised from {@code initial}'s data under {@code name}.
     *
     * @return the parameter, owned by this dictionary
     * @throws IllegalArgumentException if the name is taken, empty or contains a dot
     */
    public Tensor put(String name, Tensor initial) {
        Tensor p = registerParameter(name, initial);
        items.put(name, p);
        return p;
    }

    /**
     * Adds a parameter made by {@code factory}, in a scope of its own, under {@code name}.
     *
     * @return the parameter, owned by this dictionary
     * @throws IllegalArgumentException if the name is taken, empty or contains a dot
     */
    public Tensor put(String name, Supplier<Tensor> factory) {
        Tensor p = registerParameter(name, factory);
        items.put(name, p);
        return p;
    }

    /** The parameter under {@code name}, or null. */
    public Tensor get(String name) {
        checkOpen();
        return items.get(name);
    }

    /** Whether {@code name} is present. */
    public boolean containsKey(String name) {
        return items.containsKey(name);
    }

    /** The number of parameters. */
    public int size() {
        return items.size();
    }

    /** The parameters by name, in insertion order (read-only); they belong to this dictionary. */
    public Map<String, Tensor> asMap() {
        checkOpen();
        return Collections.unmodifiableMap(items);
    }

    /**
     * Not defined, as in PyTorch.
     *
     * @throws UnsupportedOperationException always
     */
    @Override
    public Tensor forward(Tensor input) {
        throw new UnsupportedOperationException("ParameterDict has no forward: look its parameters up by name");
    }

    @Override
    protected String extraRepr() {
        StringBuilder sb = new StringBuilder();
        items.forEach((k, p) -> sb.append(sb.length() == 0 ? "" : ", ").append('(').append(k).append("): Parameter ")
                .append(p.shape()));
        return sb.toString();
    }
}
