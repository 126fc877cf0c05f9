package dev.jtorch.nn.functional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jtorch.DType;
import dev.jtorch.Fixtures;
import dev.jtorch.Torch;
import dev.jtorch.tensor.Tensor;
import dev.jtorch.tensor.TensorScope;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.extension.ExtendWith;
import dev.jtorch.NoLeaks;

/** {@link F#softmax} and {@link F#logSoftmax} against PyTorch's outputs in {@code softmax.json}. */
@ExtendWith(NoLeaks.class)
class SoftmaxGoldenTest {
    private static final JsonNode CASES = Fixtures.load("softmax.json");

    static Stream<Arguments> cases() {
        return Fixtures.list(CASES).stream().map(c -> Arguments.of(Named.of(c.get("name").asText(), c)));
    }

    /** float32 results agree to a few ulps; float64 to ~1e-12. */
    private static double rtol(JsonNode c) {
        return Fixtures.dtype(c.get("input")) == DType.FLOAT64 ? 1e-12 : 1e-6;
    }

    private static double atol(JsonNode c) {
        return Fixtures.dtype(c.get("input")) == DType.FLOAT64 ? 1e-14 : 1e-7;
    }

    @ParameterizedTest(name = "softmax {0}")
    @MethodSource("cases")
    void softmaxMatchesPyTorch(JsonNode c) {
        try (TensorScope s = TensorScope.open()) {
            Tensor x = Fixtures.tensor(c.get("input"));
            Tensor y = F.softmax(x, c.get("dim").asInt());
            Fixtures.assertClose(c.get("softmax"), y, atol(c), rtol(c));
            Fixtures.assertAllFinite(y, "softmax");
            // probabilities along dim sum to one
            double[] sums = y.sum(c.get("dim").asInt(), false).toDoubleArray();
            for (double v : sums) {
                assertEquals(1.0, v, Fixtures.dtype(c.get("input")) == DType.FLOAT64 ? 1e-12 : 1e-6);
            }
        }
    }

    @ParameterizedTest(name = "logSoftmax {0}")
    @MethodSource("cases")
    void logSoftmaxMatchesPyTorch(JsonNode c) {
        try (TensorScope s = TensorScope.open()) {
            Tensor x = Fixtures.tensor(c.get("input"));
            Tensor y = F.logSoftmax(x, c.get("dim").asInt());
            Fixtures.assertClose(c.get("log_softmax"), y, atol(c), rtol(c));
            Fixtures.assertNoNaN(y, "logSoftmax");
            // -inf exactly where the input is -inf, finite elsewhere
            double[] in = x.toDoubleArray();
            double[] out = y.toDoubleArray();
            for (int i = 0; i < in.length; i++) {
                if (in[i] == Double.NEGATIVE_INFINITY) {
                    assertEquals(Double.NEGATIVE_INFINITY, out[i], "logSoftmax at " + i);
                } else {
                    assertTrue(Double.isFinite(out[i]), "logSoftmax finite at " + i + ": " + out[i]);
                }
            }
        }
    }

    @ParameterizedTest(name = "exp(logSoftmax) == softmax {0}")
    @MethodSource("cases")
    void expOfLogSoftmaxIsSoftmax(JsonNode c) {
        try (TensorScope s = TensorScope.open()) {
            Tensor x = Fixtures.tensor(c.get("input"));
            int dim = c.get("dim").asInt();
            double tol = Fixtures.dtype(c.get("input")) == DType.FLOAT64 ? 1e-12 : 1e-6;
            Fixtures.assertClose(F.softmax(x, dim).toDoubleArray(), F.logSoftmax(x, dim).exp(), tol, tol);
        }
    }

    private static JsonNode named(String name) {
        for (JsonNode c : CASES) {
            if (c.get("name").asText().equals(name)) {
                return c;
            }
        }
        throw new IllegalArgumentException("no softmax case " + name);
    }

    @Test
    void largeLogitsStayFiniteInBothPrecisions() {
        for (String name : new String[] {"large_logits_dim1", "large_logits_dim1_f64"}) {
            try (TensorScope s = TensorScope.open()) {
                Tensor x = Fixtures.tensor(named(name).get("input"));
                Tensor sm = F.softmax(x, 1);
                Tensor lsm = F.logSoftmax(x, 1);
                Fixtures.assertAllFinite(sm, name + " softmax");
                Fixtures.assertAllFinite(lsm, name + " logSoftmax");
                double[] p = sm.toDoubleArray();
                // row 0: [1000, -1000, 0] -> all mass on the first entry
                assertEquals(1.0, p[0], 0.0);
                assertEquals(0.0, p[1], 0.0);
                // row 1: three equal logits of 1000 -> uniform
                for (int j = 3; j < 6; j++) {
                    assertEquals(1.0 / 3, p[j], 1e-6);
                }
                double[] lp = lsm.toDoubleArray();
                assertEquals(-2000.0, lp[1], 1e-3);
                assertEquals(-Math.log(3), lp[3], 1e-6);
            }
        }
    }

    @Test
    void negativeInfinityGetsZeroProbability() {
        for (String name : new String[] {"neg_inf_entries_dim1", "neg_inf_entries_dim1_f64"}) {
            try (TensorScope s = TensorScope.open()) {
                Tensor x = Fixtures.tensor(named(name).get("input"));
                double[] in = x.toDoubleArray();
                double[] p = F.softmax(x, 1).toDoubleArray();
                double[] lp = F.logSoftmax(x, 1).toDoubleArray();
                for (int i = 0; i < in.length; i++) {
                    if (in[i] == Double.NEGATIVE_INFINITY) {
                        assertEquals(0.0, p[i], 0.0, name + " softmax at " + i);
                        assertEquals(Double.NEGATIVE_INFINITY, lp[i], name + " logSoftmax at " + i);
                    }
                }
                // row 1 is [-inf, -inf, 5]: one finite entry takes all the mass, log prob exactly 0
                assertEquals(1.0, p[5], 0.0);
                assertEquals(0.0, lp[5], 0.0);
            }
        }
    }

    @Test
    void resultsBelongToTheScope() {
        long before = Torch.liveHandles();
        try (TensorScope s = TensorScope.open()) {
            Tensor x = Fixtures.tensor(named("random_4x5_dim1").get("input"));
            F.softmax(x, 1);
            F.logSoftmax(x, 0);
            assertTrue(Torch.liveHandles() >= before + 3);
        }
        assertEquals(before, Torch.liveHandles());
    }
}
