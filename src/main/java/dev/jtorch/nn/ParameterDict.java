package dev.jtorch.nn;

import dev.jtorch.tensor.Tensor;
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
public final class ParameterDict extends DictContainer<Tensor> {
    /** An empty dictionary. */
    public ParameterDict() {
        super(true);
    }

    /**
     * Adds a parameter initialised from {@code initial}'s data under {@code name}.
     *
     * @return the parameter, owned by this dictionary
     * @throws IllegalArgumentException if the name is taken, empty or contains a dot
     */
    public Tensor put(String name, Tensor initial) {
        return putItem(name, registerParameter(name, initial));
    }

    /**
     * Adds a parameter made by {@code factory}, in a scope of its own, under {@code name}.
     *
     * @return the parameter, owned by this dictionary
     * @throws IllegalArgumentException if the name is taken, empty or contains a dot
     */
    public Tensor put(String name, Supplier<Tensor> factory) {
        return putItem(name, registerParameter(name, factory));
    }

    @Override
    protected String extraRepr() {
        StringBuilder sb = new StringBuilder();
        elements().forEach((k, p) -> sb.append(sb.length() == 0 ? "" : ", ").append('(').append(k).append("): Parameter ")
                .append(p.shape()));
        return sb.toString();
    }
}
