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
        if (!TensorScope.isOpen()) { // checked first: the gradients would have no owner
            throw new IllegalStateException("Autograd.grad needs an open TensorScope on thread "
                    + Thread.currentThread().getName());
        }
        NativeTensor[] in = new NativeTensor[inputs.size()];
        for (int i = 0; i < in.length; i++) {
            in[i] = TensorAccess.handle(inputs.get(i));
        }
        NativeTensor[] g = TensorAccess.handle(output).gradOf(in);
        List<Tensor> out = new ArrayList<>(g.length);
        for (int i = 0; i < g.length; i++) {
            out.add(TensorAccess.scoped(g[i], "autograd.grad"));
        }
        return out;
    }
}
