package dev.jtorch.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jtorch.Fixtures;
import dev.jtorch.NoLeaks;
import dev.jtorch.Torch;
import dev.jtorch.autograd.InferenceMode;
import dev.jtorch.autograd.NoGrad;
import dev.jtorch.tensor.Tensor;
import dev.jtorch.tensor.TensorScope;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A linear with a large weight gives the same result whichever product computes it: under
 * inference a few rows take the transposed product {@code (b[:, None] + W x^T)^T} (one row the
 * matrix-vector kernel), with gradients recorded libtorch's own {@code linear}.
 */
@ExtendWith(NoLeaks.class)
class LinearInferenceTest {
    @ParameterizedTest(name = "{0} rows")
    @ValueSource(ints = {1, 2, 5, 64, 65})
    void inferenceEqualsTheRecordedProduct(int rows) {
        for (boolean bias : new boolean[] {true, false}) {
            Torch.manualSeed(rows);
            try (TensorScope s = TensorScope.open(); Linear fc = new Linear(1280, 1000, bias)) {
                Tensor x = Tensor.randn(rows, 1280);
                double[] recorded = fc.forward(x).toDoubleArray(); // the weight requires grad: libtorch's linear
                for (int mode = 0; mode < 2; mode++) {
                    Tensor y;
                    if (mode == 0) {
                        try (InferenceMode im = InferenceMode.enter()) {
                            y = fc.forward(x);
                        }
                    } else {
                        try (NoGrad ng = NoGrad.enter()) {
                            y = fc.forward(x);
                        }
                    }
                    assertArrayEquals(new long[] {rows, 1000}, y.shape().toArray());
                    assertTrue(y.isContiguous(), "contiguous, as linear's result");
                    Fixtures.assertClose(recorded, y.toDoubleArray(), 1e-5, 1e-5,
                            rows + " rows, bias " + bias + (mode == 0 ? ", inference mode" : ", no grad"));
                }
            }
        }
    }
}
