package dev.jtorch.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jtorch.DType;
import dev.jtorch.Device;
import dev.jtorch.Torch;
import dev.jtorch.cuda.Cuda;
import dev.jtorch.tensor.Shape;
import dev.jtorch.tensor.Tensor;
import dev.jtorch.tensor.TensorScope;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The metrics on a CUDA device equal those on the CPU, with the confusion counts kept on the
 * device. Tagged {@code cuda} (run with {@code mvn -Pcuda test}); skipped without a device.
 */
@Tag("cuda")
class MetricsCudaTest {
    @Test
    void evaluatorOnCudaMatchesCpu() {
        assumeTrue(Cuda.isAvailable(), "no CUDA device visible to libtorch");
        Device gpu = Device.cuda(0);
        long before = Torch.liveHandles();
        int n = 5000, c = 10;
        double[][] d = TemperatureScalingTest.synthetic(n, c, 3.0, 11);
        long[] y = TemperatureScalingTest.labels(d[1]);
        List<String> names = ClassificationReport.defaultLabels(c);
        EvalReport cpu, cuda;
        double tCpu, tCuda;
        try (TensorScope s = TensorScope.open()) {
            Tensor z = Tensor.of(d[0], Shape.of(n, c), DType.FLOAT32, Device.CPU), t = Tensor.of(y, n);
            Tensor zg = z.to(gpu), tg = t.to(gpu);
            tCpu = TemperatureScaling.fit(z, t);
            tCuda = TemperatureScaling.fit(zg, tg);
            try (Evaluator a = new Evaluator(names, tCpu); Evaluator b = new Evaluator(names, tCuda);
                    ConfusionMatrix m = new ConfusionMatrix(c)) {
                for (int from = 0; from < n; from += 512) {
                    int to = Math.min(n, from + 512);
                    a.update(z.slice(0, from, to), t.slice(0, from, to));
                    b.update(zg.slice(0, from, to), t.slice(0, from, to)); // CPU targets move to the logits' device
                    m.update(zg.slice(0, from, to).argmax(1), tg.slice(0, from, to));
                }
                assertEquals(gpu, m.device());
                cpu = a.report();
                cuda = b.report();
                assertArrayEquals(cpu.confusionMatrix(), m.counts());
            }
        }
        assertEquals(tCpu, tCuda, 0, "the fit copies the logits to the host: same bits");
        assertArrayEquals(cpu.confusionMatrix(), cuda.confusionMatrix());
        assertEquals(cpu.accuracy(), cuda.accuracy(), 0);
        assertEquals(cpu.top5Accuracy(), cuda.top5Accuracy(), 0);
        assertEquals(cpu.nll(), cuda.nll(), 1e-12);
        assertEquals(cpu.ece(), cuda.ece(), 1e-12);
        assertEquals(cpu.calibration().nllAfter(), cuda.calibration().nllAfter(), 1e-12);
        assertEquals(before, Torch.liveHandles(), "native handles leaked");
    }
}
