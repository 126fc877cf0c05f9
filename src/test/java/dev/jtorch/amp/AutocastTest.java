package dev.jtorch.amp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jtorch.DType;
import dev.jtorch.Device;
import dev.jtorch.Fixtures;
import dev.jtorch.NoLeaks;
import dev.jtorch.autograd.NoGrad;
import dev.jtorch.nn.Linear;
import dev.jtorch.nn.Module;
import dev.jtorch.nn.functional.F;
import dev.jtorch.optim.SGD;
import dev.jtorch.optim.SGDOptions;
import dev.jtorch.tensor.Tensor;
import dev.jtorch.tensor.TensorScope;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** CPU autocast: libtorch's op policy as PyTorch has it, state restoring, nesting, the weight cache, gradients. */
@ExtendWith(NoLeaks.class)
class AutocastTest {
    /** fc1 = Linear(20, 12), relu, fc2 = Linear(12, 4): the model of scripts/fixtures_amp.py. */
    static final class Mlp extends Module {
        final Linear fc1 = register("fc1", new Linear(20, 12));
        final Linear fc2 = register("fc2", new Linear(12, 4));

        @Override
        public Tensor forward(Tensor x) {
            return fc2.forward(F.relu(fc1.forward(x)));
        }
    }

    @AfterEach
    void autocastLeftOff() {
        assertFalse(Autocast.isEnabled(Device.CPU), "a test left CPU autocast on");
        assertEquals(DType.BFLOAT16, Autocast.dtype(Device.CPU), "a test left the CPU autocast dtype changed");
        assertFalse(TensorScope.isOpen(), "a test left a scope open");
    }

    @Test
    void linearAndMatmulRunInBfloat16InsideAndFloat32Outside() {
        try (TensorScope s = TensorScope.open(); Linear lin = new Linear(8, 4)) {
            Tensor x = Tensor.randn(3, 8);
            try (Autocast a = Autocast.enter(Device.CPU, DType.BFLOAT16)) {
                assertTrue(Autocast.isEnabled(Device.CPU));
                assertEquals(DType.BFLOAT16, lin.forward(x).dtype());
                assertEquals(DType.BFLOAT16, lin.forward(x.narrow(0, 0, 1)).dtype(), "batch-1 Linear (the addmv path)");
                assertEquals(DType.BFLOAT16, x.matmul(x.t()).dtype());
                assertEquals(DType.FLOAT32, x.add(1).dtype(), "elementwise ops keep their input dtype");
                assertEquals(DType.FLOAT32, lin.weight().dtype(), "parameters stay float32");
            }
            assertFalse(Autocast.isEnabled(Device.CPU));
            assertEquals(DType.FLOAT32, lin.forward(x).dtype());
            assertEquals(DType.FLOAT32, lin.forward(x.narrow(0, 0, 1)).dtype());
            assertEquals(DType.FLOAT32, x.matmul(x.t()).dtype());
        }
    }

    @Test
    void float16IsSupportedOnCpuToo() {
        try (TensorScope s = TensorScope.open(); Linear lin = new Linear(8, 4)) {
            Tensor x = Tensor.randn(3, 8);
            try (Autocast a = Autocast.enter(Device.CPU, DType.FLOAT16)) {
                assertEquals(DType.FLOAT16, Autocast.dtype(Device.CPU));
                assertEquals(DType.FLOAT16, lin.forward(x).dtype());
            }
        }
    }

    @Test
    void lossesRunInFloat32AsPyTorchsPolicySays() {
        try (TensorScope s = TensorScope.open()) {
            Tensor logits = Tensor.randn(64, 10).mul(3).to(DType.BFLOAT16);
            long[] t = new long[64];
            for (int i = 0; i < t.length; i++) {
                t[i] = (i * 7) % 10;
            }
            Tensor target = Tensor.of(t, 64);
            Tensor ce;
            Tensor nll;
            Tensor logSoftmaxOfF32;
            Tensor logSoftmaxOfBf16;
            try (Autocast a = Autocast.enter(Device.CPU, DType.BFLOAT16)) {
                ce = F.crossEntropy(logits, target);
                nll = F.nllLoss(F.logSoftmax(logits, 1), target);
                logSoftmaxOfF32 = F.logSoftmax(logits.to(DType.FLOAT32), 1);
                logSoftmaxOfBf16 = F.logSoftmax(logits, 1);
            }
            assertEquals(DType.FLOAT32, ce.dtype());
            assertEquals(DType.FLOAT32, nll.dtype());
            assertEquals(DType.FLOAT32, logSoftmaxOfF32.dtype(), "autocast never lowers log_softmax");
            // on CPU log_softmax is on neither list: it runs in its input's dtype (on CUDA it is fp32)
            assertEquals(DType.BFLOAT16, logSoftmaxOfBf16.dtype());
            // cross_entropy itself is on the fp32 list: the whole loss, log-softmax included, runs in
            // float32, not a float32 NLL of a bfloat16 log-softmax
            double full32 = F.crossEntropy(logits.to(DType.FLOAT32), target).item();
            double viaBf16LogSoftmax = F.nllLoss(F.logSoftmax(logits, 1).to(DType.FLOAT32), target).item();
            assertEquals(full32, ce.item(), 1e-6);
            assertTrue(Math.abs(viaBf16LogSoftmax - full32) > 1e-4,
                    "the inputs must tell the two computations apart: " + viaBf16LogSoftmax + " vs " + full32);
        }
    }

    @Test
    void gradientsReachTheFloat32ParametersAndAgreeWithFloat32() {
        try (TensorScope s = TensorScope.open(); Mlp m = new Mlp()) {
            Tensor x = Tensor.randn(16, 20);
            Tensor y = Tensor.of(new long[] {0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3}, 16);
            F.crossEntropy(m.forward(x), y).backward();
            Map<String, float[]> g32 = new java.util.LinkedHashMap<>();
            m.namedParameters().forEach((k, p) -> g32.put(k, p.grad().toFloatArray()));
            try (SGD opt = new SGD(m.parameters(), SGDOptions.lr(0.1))) {
                opt.zeroGrad();
            }
            Tensor loss;
            try (Autocast a = Autocast.enter(Device.CPU, DType.BFLOAT16)) {
                loss = F.crossEntropy(m.forward(x), y);
            }
            loss.backward();
            m.namedParameters().forEach((k, p) -> {
                Tensor g = p.grad();
                assertEquals(DType.FLOAT32, g.dtype(), k);
                float[] exp = g32.get(k);
                float[] got = g.toFloatArray();
                double diff = 0;
                double norm = 0;
                for (int i = 0; i < exp.length; i++) {
                    diff += (got[i] - exp[i]) * (double) (got[i] - exp[i]);
                    norm += exp[i] * (double) exp[i];
                }
                // bfloat16 keeps 8 significant bits; two layers compound it to a few percent per element
                double rel = Math.sqrt(diff / norm);
                assertTrue(rel < 0.03, k + ": relative L2 error against float32 " + rel);
                assertTrue(rel > 0, k + ": identical to float32, so autocast did not run");
            });
        }
    }

    @Test
    void matchesPyTorchAutocastGolden() {
        JsonNode c = Fixtures.load("amp.json").get("mlp_bf16");
        try (TensorScope s = TensorScope.open(); Mlp m = new Mlp()) {
            m.loadStateDict(Fixtures.tensorMap(c.get("params")));
            Tensor x = Fixtures.tensor(c.get("input"));
            Tensor target = Fixtures.tensor(c.get("target"));
            Tensor hidden;
            Tensor logits;
            Tensor loss;
            try (Autocast a = Autocast.enter(Device.CPU, DType.BFLOAT16)) {
                hidden = m.fc1.forward(x);
                logits = m.fc2.forward(F.relu(hidden));
                loss = F.crossEntropy(logits, target);
            }
            assertEquals(DType.BFLOAT16, hidden.dtype());
            assertEquals(DType.BFLOAT16, logits.dtype());
            assertEquals(DType.FLOAT32, loss.dtype());
            // one bfloat16 ulp (2^-8 relative) of slack for a different summation order in the GEMM
            Fixtures.assertClose(c.get("hidden"), hidden.to(DType.FLOAT32), 1e-3, 8e-3);
            Fixtures.assertClose(c.get("logits"), logits.to(DType.FLOAT32), 1e-3, 8e-3);
            double golden = Fixtures.scalar(c.get("loss"));
            assertEquals(golden, loss.item(), 2e-4);
            // and the golden is an autocast result, not float32's: the test would see a missing cast
            assertTrue(Math.abs(Fixtures.scalar(c.get("loss_float32")) - golden) > 1e-3);
            loss.backward();
            Map<String, Tensor> params = m.namedParameters();
            c.get("grads").fields().forEachRemaining(e -> {
                Tensor g = params.get(e.getKey()).grad();
                assertEquals(DType.FLOAT32, g.dtype());
                Fixtures.assertClose(e.getValue(), g, 2e-3, 2e-2);
            });
        }
    }

    @Test
    void nestedGuardsRestoreTheOuterState() {
        try (TensorScope s = TensorScope.open(); Linear lin = new Linear(8, 4)) {
            Tensor x = Tensor.randn(3, 8);
            try (Autocast outer = Autocast.enter(Device.CPU, DType.BFLOAT16)) {
                try (Autocast inner = Autocast.enter(Device.CPU, DType.FLOAT16)) {
                    assertEquals(DType.FLOAT16, lin.forward(x).dtype()); // caches float16 weight casts
                    try (Autocast off = Autocast.disable(Device.CPU)) {
                        assertFalse(Autocast.isEnabled(Device.CPU));
                        assertEquals(DType.FLOAT32, lin.forward(x).dtype());
                    }
                    assertTrue(Autocast.isEnabled(Device.CPU));
                    assertEquals(DType.FLOAT16, Autocast.dtype(Device.CPU));
                }
                assertEquals(DType.BFLOAT16, Autocast.dtype(Device.CPU));
                // libtorch's cache is keyed by weight only: without jtorch dropping it when the dtype
                // changes back, this would meet the float16 weight cast ("must have the same dtype")
                assertEquals(DType.BFLOAT16, lin.forward(x).dtype());
            }
            assertFalse(Autocast.isEnabled(Device.CPU));
        }
    }

    @Test
    void guardsMustCloseInnermostFirstOnTheirThread() throws Exception {
        Autocast outer = Autocast.enter(Device.CPU, DType.BFLOAT16);
        Autocast inner = Autocast.enter(Device.CPU, DType.FLOAT16);
        IllegalStateException e = assertThrows(IllegalStateException.class, outer::close);
        assertTrue(e.getMessage().contains("innermost first"), e.getMessage());
        assertTrue(Autocast.isEnabled(Device.CPU), "a refused close changes nothing");
        assertEquals(DType.FLOAT16, Autocast.dtype(Device.CPU));

        AtomicReference<Throwable> fromOther = new AtomicReference<>();
        AtomicReference<Boolean> otherSees = new AtomicReference<>();
        Thread t = new Thread(() -> {
            otherSees.set(Autocast.isEnabled(Device.CPU));
            try {
                inner.close();
            } catch (Throwable ex) {
                fromOther.set(ex);
            }
        });
        t.start();
        t.join();
        assertEquals(Boolean.FALSE, otherSees.get(), "autocast is thread-local");
        assertTrue(fromOther.get() instanceof IllegalStateException, String.valueOf(fromOther.get()));
        assertTrue(fromOther.get().getMessage().contains("thread"), fromOther.get().getMessage());

        inner.close();
        inner.close(); // idempotent
        assertEquals(DType.BFLOAT16, Autocast.dtype(Device.CPU));
        outer.close();
        assertFalse(Autocast.isEnabled(Device.CPU));
    }

    @Test
    void unsupportedDtypesAndDevicesAreRefusedClearly() {
        IllegalArgumentException f32 = assertThrows(IllegalArgumentException.class,
                () -> Autocast.enter(Device.CPU, DType.FLOAT32));
        assertTrue(f32.getMessage().contains("bfloat16 and float16, not float32"), f32.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Autocast.enter(Device.CPU, DType.INT64));
        assertThrows(IllegalArgumentException.class, () -> Autocast.enter(Device.CPU, DType.FLOAT64));
        if (!dev.jtorch.cuda.Cuda.isAvailable()) {
            UnsupportedOperationException cuda = assertThrows(UnsupportedOperationException.class,
                    () -> Autocast.enter(Device.cuda(0), DType.FLOAT16));
            assertTrue(cuda.getMessage().contains("CUDA is not available"), cuda.getMessage());
        }
        assertFalse(Autocast.isEnabled(Device.CPU), "a refused enter changes nothing");
    }

    /**
     * libtorch caches the bfloat16 casts of float32 leaf weights inside a region and clears them
     * when the outermost guard exits: a weight changed in place inside one region is seen stale
     * (PyTorch's behaviour), and fresh after re-entering; with the cache off it is seen at once.
     */
    @Test
    void weightCastCacheLivesForTheOutermostRegion() {
        try (TensorScope s = TensorScope.open(); Linear lin = new Linear(8, 4);
             SGD opt = new SGD(lin.parameters(), SGDOptions.lr(1.0))) {
            Tensor x = Tensor.randn(5, 8);
            float[] first;
            float[] stale;
            try (Autocast a = Autocast.enter(Device.CPU, DType.BFLOAT16)) {
                Tensor y = lin.forward(x);
                first = y.to(DType.FLOAT32).toFloatArray();
                y.to(DType.FLOAT32).sum().backward();
                opt.step(); // weights change in place by a lot (lr 1)
                try (Autocast nested = Autocast.enter(Device.CPU, DType.BFLOAT16)) {
                    stale = lin.forward(x).to(DType.FLOAT32).toFloatArray();
                }
            }
            float[] fresh;
            try (Autocast a = Autocast.enter(Device.CPU, DType.BFLOAT16)) {
                fresh = lin.forward(x).to(DType.FLOAT32).toFloatArray();
            }
            float[] before;
            float[] after;
            try (Autocast a = Autocast.enter(Device.CPU, DType.BFLOAT16, false)) {
                before = lin.forward(x).to(DType.FLOAT32).toFloatArray();
                try (NoGrad g = NoGrad.enter()) {
                    opt.step(); // the same gradient again
                }
                after = lin.forward(x).to(DType.FLOAT32).toFloatArray();
            }
            assertArrayEquals(first, stale, "inside the region the cached casts of the old weights are used");
            assertFalse(Arrays.equals(first, fresh), "a new region casts the updated weights");
            assertFalse(Arrays.equals(before, after), "with the cache off the in-place update is seen at once");
        }
    }
}
