package dev.jtorch.nn;

import dev.jtorch.tensor.Tensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
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
public final class ParameterList extends Module implements Iterable<Tensor> {
    private final List<Tensor> items = new ArrayList<>();

    /** An empty list. */
    public ParameterList() {}

    /**
     * A list of parameters initialised from {@code tensors} (each made a leaf that requires grad;
     * the tensors themselves stay owned by their scope).
     */
    public static ParameterList of(Tensor... tensors) {
        ParameterList l = new ParameterList();
        for (Tensor t : tensors) {
            l.add(t);
        }
        return l;
    }

    /**
     * Appends a parameter initialised from {@code initial}'s data under the next index.
     *
     * @return the parameter, owned by this list
     */
    public Tensor add(Tensor initial) {
        Tensor p = registerParameter(Integer.toString(items.size()), initial);
        items.add(p);
        return p;
    }

    /**
     * Appends a parameter made by {@code factory}, which runs in a scope of its own (works with no
     * scope open).
     *
     * @return the parameter, owned by this list
     */
    public Tensor add(Supplier<Tensor> factory) {
        Tensor p = registerParameter(Integer.toString(items.size()), factory);
        items.add(p);
        return p;
    }

    /**
     * The parameter at {@code index} (negative counts from the end, as in Python).
     *
     * @throws IndexOutOfBoundsException naming the index and the size
     */
    public Tensor get(int index) {
        checkOpen();
        int i = index < 0 ? index + items.size() : index;
        if (i < 0 || i >= items.size()) {
            throw new IndexOutOfBoundsException("ParameterList index " + index + " out of range for " + items.size()
                    + " parameters");
        }
        return items.get(i);
    }

    /** The number of parameters. */
    public int size() {
        return items.size();
    }

    /** The parameters, in order (read-only); they belong to this list. */
    public List<Tensor> asList() {
        checkOpen();
        return Collections.unmodifiableList(items);
    }

    @Override
    public Iterator<Tensor> iterator() {
        return asList().iterator();
    }

    /**
     * Not defined, as in PyTorch.
     *
     * @throws UnsupportedOperationException always
     */
    @Override
    public Tensor forward(Tensor input) {
        throw new UnsupportedOperationException("ParameterList has no forward: iterate over its parameters");
    }

    @Override
    protected String extraRepr() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < items.size(); i++) {
            Tensor p = items.get(i);
            sb.append(i == 0 ? "" : ", ").append('(').append(i).append("): Parameter ").append(p.shape());
        }
        return sb.toString();
    }
}
