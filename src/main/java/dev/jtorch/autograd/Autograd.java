package dev.jtorch.autograd;

import dev.jtorch.internal.NativeTensor;
import dev.jtorch.tensor.Tensor;
import dev.jtorch.tensor.TensorScope;
import dev.jtorch.tensor.access.TensorAccess;
import java.util.ArrayList;
import java.util.List;

/** Functional autograd ({@code torch.autograd}): gradients returned instead of accumulated. */
public final class Autograd {
    private Autograd() {}

    /**
     * {@code torch.autograd.grad(output, inputs)}: the gradient of the scalar {@code output} with
     * respect to each of {@code inputs}, leaving every {@link Tensor#grad()} untouched.
     *
     * <p>The results have the inputs' shapes, dtypes and devices and belong to the current scope;
     * the graph behind {@code output} is freed, as by {@link Tensor#backward()}. Several threads may
     * differentiate separate graphs that share leaves (e.g. a model's parameters) at once.
     *
     * @throws dev.jtorch.TorchException if {@code output} is not a scalar that requires grad, or an
     *     input does not require grad or is not used to compute {@code output}
     * @throws IllegalStateException if no scope is open or a tensor is closed
     */
    public static List<Tensor> grad(Tensor output, List<Tensor> inputs) {
        return grad(List.of(output), inputs, GradOptions.defaults());
    }

    /**
     * {@code torch.autograd.grad(output, inputs, create_graph=createGraph)}: with {@code createGraph}
     * the gradients carry a graph of their own, so a function of them (a gradient penalty, a
     * Hessian-vector product) can be differentiated again; the graph behind {@code output} is then
     * kept too.
     *
     * @throws dev.jtorch.TorchException as {@link #grad(Tensor, List)}
     * @throws IllegalStateException if no scope is open or a tensor is closed
     */
    public static List<Tensor> grad(Tensor output, List<Tensor> inputs, boolean createGraph) {
        return grad(List.of(output), inputs, GradOptions.defaults().withCreateGraph(createGraph));
    }

    /**
     * {@code torch.autograd.grad(outputs, inputs, grad_outputs, retain_graph, create_graph,
     * allow_unused)}: for each input, the sum over {@code outputs} of their gradients, each output
     * weighed by its entry of {@link GradOptions#gradOutputs()} (scalar outputs need none). Every
     * {@link Tensor#grad()} stays untouched.
     *
     * <p>The results have the inputs' shapes, dtypes and devices and belong to the current scope; an
     * input the outputs do not depend on gets null when {@link GradOptions#allowUnused()} is set.
     *
     * @throws dev.jtorch.TorchException if an output is not a scalar and has no weight, a weight's
     *     shape differs from its output's, an input does not require grad, or (without
     *     {@code allowUnused}) an input is unused
     * @throws IllegalArgumentException if {@code gradOutputs} has not one entry per output
     * @throws IllegalStateException if no scope is open or a tensor is closed
     */
    public static List<Tensor> grad(List<Tensor> outputs, List<Tensor> inputs, GradOptions options) {
        if (!TensorScope.isOpen()) { // checked first: the gradients would have no owner
            throw new IllegalStateException("Autograd.grad needs an open TensorScope on thread "
                    + Thread.currentThread().getName());
        }
        List<Tensor> weights = options.gradOutputs();
        if (weights != null && weights.size() != outputs.size()) {
            throw new IllegalArgumentException("Autograd.grad: gradOutputs has " + weights.size() + " entries for "
                    + outputs.size() + " outputs");
        }
        NativeTensor[] out = handles(outputs, "outputs");
        NativeTensor[] in = handles(inputs, "inputs");
        NativeTensor[] w = weights == null ? null : new NativeTensor[weights.size()];
        for (int i = 0; w != null && i < w.length; i++) {
            w[i] = weights.get(i) == null ? null : TensorAccess.handle(weights.get(i));
        }
        NativeTensor[] g = NativeTensor.grad(out, in, w, options.retainGraph(), options.createGraph(),
                options.allowUnused());
        List<Tensor> result = new ArrayList<>(g.length);
        for (NativeTensor h : g) {
            result.add(h == null ? null : TensorAccess.scoped(h, "autograd.grad"));
        }
        return java.util.Collections.unmodifiableList(result);
    }

    private static NativeTensor[] handles(List<Tensor> ts, String what) {
        NativeTensor[] hs = new NativeTensor[ts.size()];
        for (int i = 0; i < hs.length; i++) {
            Tensor t = ts.get(i);
            if (t == null) {
                throw new NullPointerException("Autograd.grad: " + what + "[" + i + "] is null");
            }
            hs[i] = TensorAccess.handle(t);
        }
        return hs;
    }
}
