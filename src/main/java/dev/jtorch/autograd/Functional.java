package dev.jtorch.autograd;

import dev.jtorch.tensor.Tensor;
import dev.jtorch.tensor.TensorScope;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * {@code torch.autograd.functional}: Jacobians, Hessians and their products with a vector, for a
 * function of one tensor, computed as PyTorch does (one backward per output element for a
 * Jacobian; the double-backward trick for {@code jvp} and {@code hvp}).
 *
 * <p>{@code f} is called once on a copy of {@code x} that requires grad (sharing its data); what it
 * allocates is freed before the method returns. The results belong to the caller's current scope
 * and carry no graph unless {@code createGraph} is set, in which case they can be differentiated
 * again, also with respect to {@code x} itself when {@code x} requires grad. An output that does
 * not depend on {@code x} gives zeros, as PyTorch's default {@code strict=False}.
 */
public final class Functional {
    private Functional() {}

    /** An output of {@code f} and a product of its derivative with a vector, as PyTorch's {@code (func_output, product)}. */
    public record Product(Tensor output, Tensor product) {}

    /** {@link #jacobian(UnaryOperator, Tensor, boolean)} without a graph. */
    public static Tensor jacobian(UnaryOperator<Tensor> f, Tensor x) {
        return jacobian(f, x, false);
    }

    /**
     * {@code jacobian(f, x, create_graph)}: {@code d f(x)[i...] / d x[j...]}, of shape
     * {@code f(x).shape + x.shape}.
     *
     * @throws IllegalStateException if no scope is open
     * @throws dev.jtorch.TorchException if {@code x} is not floating-point
     */
    public static Tensor jacobian(UnaryOperator<Tensor> f, Tensor x, boolean createGraph) {
        requireScope();
        try (TensorScope s = TensorScope.open()) {
            Tensor xi = prepare(x, createGraph);
            Tensor y = f.apply(xi);
            return s.keep(jacobianOf(y, xi, createGraph));
        }
    }

    /** {@link #hessian(UnaryOperator, Tensor, boolean)} without a graph. */
    public static Tensor hessian(UnaryOperator<Tensor> f, Tensor x) {
        return hessian(f, x, false);
    }

    /**
     * {@code hessian(f, x, create_graph)}: the second derivatives of the scalar {@code f(x)}, of shape
     * {@code x.shape + x.shape}.
     *
     * @throws IllegalArgumentException if {@code f(x)} has more than one element
     */
    public static Tensor hessian(UnaryOperator<Tensor> f, Tensor x, boolean createGraph) {
        return jacobian(z -> jacobian(u -> scalar(f.apply(u), "hessian"), z, true), x, createGraph);
    }

    /** {@link #vjp(UnaryOperator, Tensor, Tensor, boolean)} without a graph. */
    public static Product vjp(UnaryOperator<Tensor> f, Tensor x, Tensor v) {
        return vjp(f, x, v, false);
    }

    /**
     * {@code vjp(f, x, v, create_graph)}: {@code v^T J}, of {@code x}'s shape.
     *
     * @param v of {@code f(x)}'s shape; null when {@code f(x)} has one element
     * @throws IllegalArgumentException if {@code v} is null and {@code f(x)} has more than one element
     */
    public static Product vjp(UnaryOperator<Tensor> f, Tensor x, Tensor v, boolean createGraph) {
        return product(f, x, createGraph, (xi, y) -> {
            if (v == null) {
                scalar(y, "vjp without v");
            }
            return y.requiresGrad() ? gradOrZeros(y, xi, v, createGraph) : Tensor.zerosLike(xi);
        });
    }

    /** {@link #jvp(UnaryOperator, Tensor, Tensor, boolean)} without a graph. */
    public static Product jvp(UnaryOperator<Tensor> f, Tensor x, Tensor v) {
        return jvp(f, x, v, false);
    }

    /**
     * {@code jvp(f, x, v, create_graph)}: {@code J v}, of {@code f(x)}'s shape, by the double-backward
     * trick (a vjp with a dummy vector, differentiated with respect to that vector).
     *
     * @param v of {@code x}'s shape
     */
    public static Product jvp(UnaryOperator<Tensor> f, Tensor x, Tensor v, boolean createGraph) {
        java.util.Objects.requireNonNull(v, "v");
        return product(f, x, createGraph, (xi, y) -> {
            Tensor dummy = Tensor.zerosLike(y).requiresGrad(true);
            Tensor back = y.requiresGrad() ? gradOrNull(List.of(y), xi, List.of(dummy), true) : null;
            // f does not depend on x (or only through constants): zeros
            return back == null || !back.requiresGrad() ? Tensor.zerosLike(y) : gradOrZeros(back, dummy, v, createGraph);
        });
    }

    /** {@link #hvp(UnaryOperator, Tensor, Tensor, boolean)} without a graph. */
    public static Product hvp(UnaryOperator<Tensor> f, Tensor x, Tensor v) {
        return hvp(f, x, v, false);
    }

    /**
     * {@code hvp(f, x, v, create_graph)}: {@code H v} for the scalar {@code f(x)}, of {@code x}'s
     * shape, by the double-backward trick as PyTorch.
     *
     * @param v of {@code x}'s shape
     * @throws IllegalArgumentException if {@code f(x)} has more than one element
     */
    public static Product hvp(UnaryOperator<Tensor> f, Tensor x, Tensor v, boolean createGraph) {
        java.util.Objects.requireNonNull(v, "v");
        return product(f, x, createGraph, (xi, y) -> {
            scalar(y, "hvp");
            Tensor jac = y.requiresGrad() ? gradOrNull(List.of(y), xi, null, true) : null;
            if (jac == null || !jac.requiresGrad()) {
                return Tensor.zerosLike(xi); // at most linear in x: no second derivative
            }
            Tensor dummy = Tensor.zerosLike(xi).requiresGrad(true);
            Tensor doubleBack = gradOrNull(List.of(jac), xi, List.of(dummy), true);
            return doubleBack == null || !doubleBack.requiresGrad() ? Tensor.zerosLike(xi)
                    : gradOrZeros(doubleBack, dummy, v, createGraph);
        });
    }

    /**
     * Calls {@code f} once on the prepared input, then {@code product} of that input and the output,
     * inside a scope of its own; the output (detached unless {@code createGraph}) and the product go
     * to the caller's scope.
     */
    private static Product product(UnaryOperator<Tensor> f, Tensor x, boolean createGraph,
                                   java.util.function.BinaryOperator<Tensor> product) {
        requireScope();
        try (TensorScope s = TensorScope.open()) {
            Tensor xi = prepare(x, createGraph);
            Tensor y = f.apply(xi);
            Tensor p = product.apply(xi, y);
            Tensor out = createGraph ? y : y.detach();
            s.keep(out, p);
            return new Product(out, p);
        }
    }

    /**
     * What {@code f} is called with: a copy of {@code x} that requires grad, sharing its data; a view
     * of {@code x} itself (keeping its graph) when {@code createGraph} and {@code x} requires grad.
     */
    private static Tensor prepare(Tensor x, boolean createGraph) {
        return createGraph && x.requiresGrad() ? x.viewAs(x) : x.detach().requiresGrad(true);
    }

    /** The results go to the caller's scope: there must be one (checked before the method opens its own). */
    private static void requireScope() {
        if (!TensorScope.isOpen()) {
            throw new IllegalStateException("autograd.functional needs an open TensorScope on thread "
                    + Thread.currentThread().getName());
        }
    }

    private static Tensor scalar(Tensor y, String what) {
        if (y.numel() != 1) {
            throw new IllegalArgumentException(what + ": the function must return a single element, got shape "
                    + y.shape());
        }
        return y;
    }

    /** One row per element of {@code y}: the gradient of that element with respect to {@code xi}. */
    private static Tensor jacobianOf(Tensor y, Tensor xi, boolean createGraph) {
        long[] shape = concat(y.shape().toArray(), xi.shape().toArray());
        if (!y.requiresGrad()) {
            return Tensor.zeros(dev.jtorch.tensor.Shape.of(shape), xi.dtype(), xi.device());
        }
        Tensor flat = y.reshape(-1);
        long m = flat.numel();
        List<Tensor> rows = new ArrayList<>((int) Math.min(m, Integer.MAX_VALUE));
        for (long i = 0; i < m; i++) {
            Tensor g = gradOrNull(List.of(flat.select(0, i)), xi, null, createGraph);
            rows.add((g == null ? Tensor.zerosLike(xi) : g).reshape(-1));
        }
        return (m == 0 ? Tensor.zeros(dev.jtorch.tensor.Shape.of(shape), xi.dtype(), xi.device()) : Tensor.stack(rows, 0)).reshape(shape);
    }

    /** The {@code v}-weighted gradient of {@code y} (v null for a scalar) with respect to {@code wrt}; zeros if unused. */
    private static Tensor gradOrZeros(Tensor y, Tensor wrt, Tensor v, boolean createGraph) {
        Tensor g = gradOrNull(List.of(y), wrt, v == null ? null : List.of(v), createGraph);
        return g == null ? Tensor.zerosLike(wrt) : g;
    }

    /** The graph is always retained: the Jacobian's rows and the double-backward trick reuse it. */
    private static Tensor gradOrNull(List<Tensor> outputs, Tensor wrt, List<Tensor> weights, boolean createGraph) {
        return Autograd.grad(outputs, List.of(wrt), new GradOptions(weights, true, createGraph, true)).get(0);
    }

    private static long[] concat(long[] a, long[] b) {
        long[] r = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
