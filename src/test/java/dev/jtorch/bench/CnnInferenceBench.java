package dev.jtorch.bench;

import dev.jtorch.Torch;
import dev.jtorch.autograd.InferenceMode;
import dev.jtorch.internal.OneDnn;
import dev.jtorch.io.ScriptModule;
import dev.jtorch.tensor.Tensor;
import dev.jtorch.tensor.TensorScope;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * jtorch side of {@code scripts/bench-cnn-inference}: TorchScript CNN inference time, as
 * {@code scripts/bench_cnn_inference.py time} measures PyTorch's.
 *
 * <pre>
 *   CnnInferenceBench FILE N HW THREADS [ITERS] [WARMUP] [GOLDEN.txt]
 * </pre>
 * Loads FILE with {@link ScriptModule#load}, sets {@link Torch#setNumThreads}, runs WARMUP then
 * ITERS forwards of a {@code rand(N, 3, HW, HW)} batch under {@link InferenceMode} and prints one
 * JSON line (median and min ms per forward). With GOLDEN (written by {@code bench_cnn_inference.py
 * make}: the input and PyTorch 1.13's output, one line each) it first checks the output against
 * PyTorch's and fails when the largest difference exceeds 1e-3 of the largest logit.
 */
public final class CnnInferenceBench {
    private CnnInferenceBench() {}

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        int n = Integer.parseInt(args[1]), hw = Integer.parseInt(args[2]), threads = Integer.parseInt(args[3]);
        int iters = args.length > 4 ? Integer.parseInt(args[4]) : 30;
        int warmup = args.length > 5 ? Integer.parseInt(args[5]) : 5;
        Torch.setNumThreads(threads);
        double goldenErr = Double.NaN;
        try (ScriptModule m = ScriptModule.load(file)) {
            if (args.length > 6) {
                goldenErr = golden(m, Path.of(args[6]));
                if (!(goldenErr <= 1e-3)) {
                    throw new AssertionError(file + ": output differs from PyTorch's by " + goldenErr + " (relative)");
                }
            }
            double[] ms = new double[iters];
            try (InferenceMode g = InferenceMode.enter(); TensorScope s = TensorScope.open()) {
                Tensor x = Tensor.rand(n, 3, hw, hw);
                for (int i = 0; i < warmup; i++) {
                    try (TensorScope inner = TensorScope.open()) {
                        m.forward(x);
                    }
                }
                for (int i = 0; i < iters; i++) {
                    long t0 = System.nanoTime();
                    try (TensorScope inner = TensorScope.open()) {
                        m.forward(x);
                    }
                    ms[i] = (System.nanoTime() - t0) / 1e6;
                }
            }
            double[] sorted = ms.clone();
            Arrays.sort(sorted);
            double median = iters % 2 == 1 ? sorted[iters / 2] : (sorted[iters / 2 - 1] + sorted[iters / 2]) / 2;
            System.out.printf(java.util.Locale.ROOT, "{\"peer\": \"jtorch\", \"file\": \"%s\", \"n\": %d, \"hw\": %d,"
                    + " \"threads\": %d, \"median_ms\": %.4f, \"min_ms\": %.4f, \"iters\": %d, \"onednn_convs\": %d,"
                    + " \"onednn_rejected\": %d, \"golden_rel_err\": %s}%n", file, n, hw, threads, median, sorted[0], iters,
                    m.oneDnnConvolutions(), OneDnn.rejected(), Double.isNaN(goldenErr) ? "null" : String.format("%.3g", goldenErr));
        }
    }

    /** Relative max difference between the module's output on the golden input and PyTorch's output. */
    static double golden(ScriptModule m, Path golden) throws Exception {
        List<String> lines = Files.readAllLines(golden);
        float[] x = parse(lines.get(0)), y = parse(lines.get(1));
        try (InferenceMode g = InferenceMode.enter(); TensorScope s = TensorScope.open()) {
            // the golden batch is 2x3x64x64; twice, so the second call runs on whatever the first chose
            double err = 0;
            for (int k = 0; k < 2; k++) {
                float[] out = m.forward(Tensor.of(x, 2, 3, 64, 64)).toFloatArray();
                double scale = 1e-30, d = 0;
                for (int i = 0; i < y.length; i++) {
                    scale = Math.max(scale, Math.abs(y[i]));
                    d = Math.max(d, Math.abs(out[i] - y[i]));
                }
                err = Math.max(err, Double.isNaN(d) ? Double.POSITIVE_INFINITY : d / scale);
            }
            return err;
        }
    }

    private static float[] parse(String line) {
        String[] f = line.trim().split(" ");
        float[] out = new float[f.length];
        for (int i = 0; i < f.length; i++) {
            out[i] = Float.parseFloat(f[i]);
        }
        return out;
    }
}
