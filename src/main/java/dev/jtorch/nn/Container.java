package dev.jtorch.nn;

import dev.jtorch.tensor.Tensor;

/**
 * What the containers ({@link ModuleList}, {@link ModuleDict}, {@link ParameterList},
 * {@link ParameterDict}) share: they hold modules or parameters, and have no {@code forward}, as
 * in PyTorch.
 */
abstract sealed class Container extends Module permits ListContainer, DictContainer {
    private final boolean parameters;

    /** A container of parameters (tensors it owns and frees), else of modules. */
    Container(boolean parameters) {
        this.parameters = parameters;
    }

    /** "parameters" or "modules", as the messages call the elements. */
    final String elementsName() {
        return parameters ? "parameters" : "modules";
    }

    /**
     * Throws if the elements are parameters and the container is closed; modules are objects of
     * their own, handed out (closed too) after {@link #close()}.
     */
    final void checkReadable() {
        if (parameters) {
            checkOpen();
        }
    }

    /**
     * Not defined, as in PyTorch.
     *
     * @throws UnsupportedOperationException always
     */
    @Override
    public final Tensor forward(Tensor input) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " has no forward: " + usage());
    }

    /** What to do instead of {@code forward}, for its message. */
    abstract String usage();
}
