package dev.jtorch.nn;

import dev.jtorch.tensor.Tensor;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;

/**
 * Holds parameters in a list, as PyTorch's {@code nn.ParameterList}: they are named {@code "0"},
 * {@code "1"}, ... so an owner's field {@code scales} puts them in the state dict as
 * {@code scales.0}, {@code scales.1}. It has no {@code forward}.
 *
 * <pre>{@code
 * final ParameterList scales = register("scales", new ParameterList());
 * scales.add(() -> Tensor.ones(64));
 * }</pre>
 *
 * <p><b>Ownership.</b> The parameters belong to this list (and so to the module it is registered
 * in) and are freed by {@link #close()}. Adding a tensor that is already a parameter (a leaf that
 * requires grad) ties it: both containers hold one tensor, as in PyTorch.
 */
public final class ParameterList extends ListContainer<Tensor> {
    /** An empty list. */
    public ParameterList() {
        super(true);
    }

    /**
     * A list of parameters initialised from {@code tensors} (each made a leaf that requires grad;
     * the tensors themselves stay owned by their scope).
     */
    public static ParameterList of(Tensor... tensors) {
        ParameterList l = new ParameterList();
        Arrays.stream(tensors).forEach(l::add);
        return l;
    }

    /**
     * Appends a parameter initialised from {@code initial}'s data under the next index.
     *
     * @return the parameter, owned by this list
     */
    public Tensor add(Tensor initial) {
        return append(registerParameter(nextKey(), initial));
    }

    /**
     * Appends a parameter made by {@code factory}, which runs in a scope of its own (works with no
     * scope open).
     *
     * @return the parameter, owned by this list
     */
    public Tensor add(Supplier<Tensor> factory) {
        return append(registerParameter(nextKey(), factory));
    }

    @Override
    protected String extraRepr() {
        StringBuilder sb = new StringBuilder();
        List<Tensor> items = elements();
        for (int i = 0; i < items.size(); i++) {
            Tensor p = items.get(i);
            sb.append(i == 0 ? "" : ", ").append('(').append(i).append("): Parameter ").append(p.shape());
        }
        return sb.toString();
    }
}
