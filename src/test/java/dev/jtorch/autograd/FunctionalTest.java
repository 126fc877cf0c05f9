package dev.jtorch.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jtorch.NoLeaks;
import dev.jtorch.tensor.Tensor;
import dev.jtorch.tensor.TensorScope;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link Functional} against PyTorch 1.13's {@code torch.autograd.functional} on the same float64
 * inputs: {@code f(x) = tanh(A @ x) * x.sum()}, {@code g(x) = (sin(x) * x^2).sum() + x.prod()},
 * {@code x = [0.2, -0.4, 0.7]}, {@code A = [[1, 2, 0.5], [-1, 0.3, 2]]}.
 */
@ExtendWith(NoLeaks.class)
class FunctionalTest {
    private static Tensor a() {
        return Tensor.of(new double[] {1, 2, 0.5, -1, 0.3, 2}, 2, 3);
    }

    private static Tensor x() {
        return Tensor.of(new double[] {0.2, -0.4, 0.7}, 3);
    }

    private static final UnaryOperator<Tensor> G = x -> x.sin().mul(x.pow(2)).sum().add(x.prod());

    @Test
    void jacobianAndHessianAreTorchs() {
        try (TensorScope s = TensorScope.open()) {
            Tensor a = a();
            UnaryOperator<Tensor> f = x -> a.matmul(x).tanh().mul(x.sum());
            Tensor x = x();
            Tensor j = Functional.jacobian(f, x);
            assertArrayEquals(new long[] {2, 3}, j.shape().toArray());
            assertArrayEquals(new double[] {0.22508876199947964, 0.6950961864026686, -0.009914950202114803,
                0.6077815008905413, 0.8488243759413886, 1.1640342894694198}, j.toDoubleArray(), 1e-12);
            assertFalse(j.requiresGrad());
            Tensor h = Functional.hessian(G, x);
            assertArrayEquals(new long[] {3, 3}, h.shape().toArray());
            assertArrayEquals(new double[] {1.1734451506313133, 0.7, -0.4, 0.7, -2.1902273402525334, 0.2, -0.4, 0.2,
                3.114326832125481}, h.toDoubleArray(), 1e-12);
            assertFalse(x.requiresGrad(), "x itself is left alone");
            assertNull(x.grad());
        }
    }

    @Test
    void theJacobianOfAMatrixFunctionHasBothShapes() {
        try (TensorScope s = TensorScope.open()) {
            Tensor m = Tensor.of(new double[] {1, 2, 3, 4}, 2, 2);
            Tensor j = Functional.jacobian(t -> t.matmul(t), m);
            assertArrayEquals(new long[] {2, 2, 2, 2}, j.shape().toArray());
            assertArrayEquals(new double[] {2, 3, 2, 0, 2, 5, 0, 2, 3, 0, 5, 3, 0, 3, 2, 8}, j.toDoubleArray(), 0);
            // an output that does not depend on x: zeros (strict=False)
            Tensor c = Tensor.ones(2);
            assertArrayEquals(new double[6], Functional.jacobian(t -> c, x()).toDoubleArray(), 0);
        }
    }

    @Test
    void vectorProductsAreTorchs() {
        try (TensorScope s = TensorScope.open()) {
            Tensor a = a();
            UnaryOperator<Tensor> f = x -> a.matmul(x).tanh().mul(x.sum());
            Functional.Product vjp = Functional.vjp(f, x(), Tensor.of(new double[] {1, -2}, 2));
            assertArrayEquals(new double[] {-0.12245933120185461, 0.39659954854175034}, vjp.output().toDoubleArray(), 1e-12);
            assertArrayEquals(new double[] {-0.9904742397816029, -1.0025525654801086, -2.3379835291409545},
                    vjp.product().toDoubleArray(), 1e-12);
            Functional.Product jvp = Functional.jvp(f, x(), Tensor.of(new double[] {0.5, 1, -1}, 3));
            assertArrayEquals(new double[] {0.8175555176045232, -0.011319163082760597}, jvp.product().toDoubleArray(),
                    1e-12);
            Functional.Product hvp = Functional.hvp(G, x(), Tensor.of(new double[] {0.5, 1, -1}, 3));
            assertEquals(0.20530650520888688, hvp.output().item(), 1e-12);
            assertArrayEquals(new double[] {1.6867225753156567, -2.0402273402525335, -3.114326832125481},
                    hvp.product().toDoubleArray(), 1e-12);
            // a scalar function needs no v for its vjp: the gradient
            assertArrayEquals(Functional.jacobian(G, x()).toDoubleArray(),
                    Functional.vjp(G, x(), null).product().toDoubleArray(), 1e-12);
            assertThrows(IllegalArgumentException.class, () -> Functional.vjp(f, x(), null));
            assertThrows(IllegalArgumentException.class, () -> Functional.hessian(f, x()));
            // a linear function has no second derivative: zeros, not an error
            assertArrayEquals(new double[3], Functional.hvp(t -> t.sum(), x(), x()).product().toDoubleArray(), 0);
        }
    }

    @Test
    void createGraphKeepsTheResultDifferentiableInX() {
        try (TensorScope s = TensorScope.open()) {
            Tensor x = x().requiresGrad(true);
            Tensor j = Functional.jacobian(G, x, true); // the gradient of g
            assertTrue(j.requiresGrad());
            // d/dx of sum(grad g) = row sums of the Hessian
            Tensor rowSums = Autograd.grad(j.sum(), List.of(x)).get(0);
            Tensor h = Functional.hessian(G, x());
            assertArrayEquals(h.sum(1).toDoubleArray(), rowSums.toDoubleArray(), 1e-12);
        }
    }

    @Test
    void noScopeIsAClearError() {
        assertThrows(IllegalStateException.class, () -> Functional.jacobian(t -> t, null));
    }
}
