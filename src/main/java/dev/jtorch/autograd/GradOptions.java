package dev.jtorch.autograd;

import dev.jtorch.tensor.Tensor;
import java.util.List;

/**
 * Settings of {@link Autograd#grad(List, List, GradOptions)}, PyTorch's keyword arguments of
 * {@code torch.autograd.grad}, with its defaults.
 *
 * <pre>{@code GradOptions.defaults().withCreateGraph(true)}</pre>
 *
 * @param gradOutputs {@code grad_outputs}: one weight per output, of its shape (a null entry, or a
 *     null list, for scalar outputs)
 * @param retainGraph {@code retain_graph}: keep the graph for another backward; null means
 *     {@code createGraph}
 * @param createGraph {@code create_graph}: record the gradient computation, so the results can be
 *     differentiated again
 * @param allowUnused {@code allow_unused}: an input the outputs do not depend on gets null instead of
 *     an error
 */
public record GradOptions(List<Tensor> gradOutputs, Boolean retainGraph, boolean createGraph, boolean allowUnused)
        implements GradOptionsCopies {
    /** Copies {@code gradOutputs} (null entries allowed), so a later change to the caller's list is not seen. */
    public GradOptions {
        gradOutputs = gradOutputs == null ? null : java.util.Collections.unmodifiableList(new java.util.ArrayList<>(gradOutputs));
    }

    /** PyTorch's defaults: no weights, retain_graph as create_graph, no graph, unused inputs are an error. */
    public static GradOptions defaults() {
        return new GradOptions(null, null, false, false);
    }
}
