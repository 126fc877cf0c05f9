package dev.jtorch.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.jtorch.nn.Linear;
import dev.jtorch.nn.Sequential;
import dev.jtorch.tensor.Tensor;
import dev.jtorch.tensor.TensorScope;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Frozen parameters (requires_grad off) go into an optimizer as in PyTorch and stay unchanged. */
class FrozenParametersTest {
    @Test
    void frozenLayerIsAcceptedAndNotUpdated() {
        try (Sequential net = Sequential.of(new Linear(3, 4), new Linear(4, 2))) {
            net.namedChildren().get("0").requiresGrad(false);
            try (SGD opt = new SGD(net.parameters(), 0.1); TensorScope s = TensorScope.open()) {
                Tensor w0 = net.namedParameters().get("0.weight");
                Tensor w1 = net.namedParameters().get("1.weight");
                assertFalse(w0.requiresGrad());
                float[] frozen = w0.toFloatArray();
                float[] trained = w1.toFloatArray();
                net.forward(Tensor.ones(5, 3)).sum().backward();
                opt.step();
                assertArrayEquals(frozen, w0.toFloatArray(), 0);
                assertFalse(java.util.Arrays.equals(trained, w1.toFloatArray()), "the trainable layer moved");
            }
        }
    }

    @Test
    void computedTensorsAreNotParameters() {
        try (TensorScope s = TensorScope.open()) {
            Tensor leaf = Tensor.ones(2).requiresGrad(true);
            Tensor computed = leaf.mul(2.0);
            assertThrows(IllegalArgumentException.class, () -> new SGD(List.of(computed), 0.1));
        }
    }
}
