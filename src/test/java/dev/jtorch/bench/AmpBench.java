package dev.jtorch.bench;

import dev.jtorch.DType;
import dev.jtorch.Device;
import dev.jtorch.Torch;
import dev.jtorch.amp.Autocast;
import dev.jtorch.autograd.InferenceMode;
import dev.jtorch.nn.functional.F;
import dev.jtorch.optim.SGD;
import dev.jtorch.tensor.Tensor;
import dev.jtorch.tensor.TensorScope;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Mixed precision on CPU: the SimpleNN of {@link JtorchBench} trained and run in float32 and under
 * bfloat16 (and optionally float16) autocast, interleaved in one process. Not a unit test.
 *
 * <p>Usage: {@code java -cp ... [-Djtorch.mkldnn=true] dev.jtorch.bench.AmpBench [--threads 1]
 * [--limit 20000] [--rounds 3] [--precisions f32,bf16] [--conv-check]}. Measures per precision the
 * median over rounds of: training samples/s at batch 64 and 512 (SGD, one pass over the first
 * {@code limit} samples in the fixed benchmark order, a fresh model each time), inference
 * samples/s at batch 1024 over the test set (inference mode), and the test accuracy after the b64
 * pass. {@code --conv-check} also reports the worst relative error of conv2d input gradients under
 * bf16 autocast against float64 on random small shapes (the oneDNN float32 bug's shapes). Prints
 * one JSON line. Run with {@code OPENBLAS_CORETYPE=SkylakeX} in the environment for the float32
 * baseline of the other benchmarks.
 */
public final class AmpBench {
    private AmpBench() {}

    private static DType dtype(String p) {
        return switch (p) {
            case "bf16" -> DType.BFLOAT16;
            case "f16" -> DType.FLOAT16;
            case "f32" -> null;
            default -> throw new IllegalArgumentException("precision must be f32, bf16 or f16: " + p);
        };
    }

    private static double train(String precision, Tensor x, Tensor y, int bs, long limit) {
        DType dt = dtype(precision);
        Torch.manualSeed(JtorchBench.SEED);
        try (JtorchBench.SimpleNN m = new JtorchBench.SimpleNN(); SGD opt = JtorchBench.newSgd(m)) {
            long n = Math.min(limit, x.size(0));
            long t = System.nanoTime();
            for (long start = 0; start < n; start += bs) {
                long len = Math.min(bs, n - start);
                try (TensorScope s = TensorScope.open()) {
                    Tensor xb = x.narrow(0, start, len);
                    Tensor yb = y.narrow(0, start, len);
                    opt.zeroGrad(false);
                    Tensor loss;
                    try (Autocast a = dt == null ? null : Autocast.enter(Device.CPU, dt)) {
                        loss = F.crossEntropy(m.forward(xb), yb);
                    }
                    loss.backward();
                    opt.step();
                }
            }
            return n / ((System.nanoTime() - t) / 1e9);
        }
    }

    private static double[] trainAndAccuracy(String precision, Tensor x, Tensor y, Tensor xt, Tensor yt, long limit) {
        DType dt = dtype(precision);
        Torch.manualSeed(JtorchBench.SEED);
        try (JtorchBench.SimpleNN m = new JtorchBench.SimpleNN(); SGD opt = JtorchBench.newSgd(m)) {
            long n = Math.min(limit, x.size(0));
            long t = System.nanoTime();
            for (long start = 0; start < n; start += 64) {
                long len = Math.min(64, n - start);
                try (TensorScope s = TensorScope.open()) {
                    opt.zeroGrad(false);
                    Tensor loss;
                    try (Autocast a = dt == null ? null : Autocast.enter(Device.CPU, dt)) {
                        loss = F.crossEntropy(m.forward(x.narrow(0, start, len)), y.narrow(0, start, len));
                    }
                    loss.backward();
                    opt.step();
                }
            }
            double sps = n / ((System.nanoTime() - t) / 1e9);
            double inferSps = infer(precision, m, xt, 3);
            long correct = 0;
            m.eval();
            try (InferenceMode g = InferenceMode.enter(); Autocast a = dt == null ? null : Autocast.enter(Device.CPU, dt)) {
                for (long s0 = 0; s0 < xt.size(0); s0 += 1024) {
                    long len = Math.min(1024, xt.size(0) - s0);
                    try (TensorScope s = TensorScope.open()) {
                        correct += m.forward(xt.narrow(0, s0, len)).argmax(1).eq(yt.narrow(0, s0, len)).sum().itemLong();
                    }
                }
            }
            return new double[] {sps, (double) correct / xt.size(0), inferSps};
        }
    }

    /** Samples/s of forward passes at batch 1024 over the test set, {@code passes} times. */
    private static double infer(String precision, JtorchBench.SimpleNN m, Tensor xt, int passes) {
        DType dt = dtype(precision);
        m.eval();
        long n = 0;
        long t = System.nanoTime();
        try (InferenceMode g = InferenceMode.enter(); Autocast a = dt == null ? null : Autocast.enter(Device.CPU, dt)) {
            for (int p = 0; p < passes; p++) {
                for (long s0 = 0; s0 < xt.size(0); s0 += 1024) {
                    long len = Math.min(1024, xt.size(0) - s0);
                    try (TensorScope s = TensorScope.open()) {
                        m.forward(xt.narrow(0, s0, len)).argmax(1).sum().itemLong();
                    }
                    n += len;
                }
            }
        }
        m.train();
        return n / ((System.nanoTime() - t) / 1e9);
    }

    /** Worst relative L2 error of conv2d input/weight gradients under bf16 autocast vs float64. */
    private static double[] convCheck(int cases) {
        Random r = new Random(11);
        Torch.manualSeed(11);
        double worstInput = 0;
        double worstWeight = 0;
        int nonFinite = 0;
        for (int t = 0; t < cases; t++) {
            int n = 1 + r.nextInt(4), cin = 1 + r.nextInt(4), cout = 1 + r.nextInt(4), k = 1 + r.nextInt(3);
            int hw = k + 2 + r.nextInt(5), stride = 1 + r.nextInt(2), pad = r.nextInt(k / 2 + 1);
            try (TensorScope s = TensorScope.open()) {
                Tensor x0 = Tensor.randn(n, cin, hw, hw);
                Tensor w0 = Tensor.randn(cout, cin, k, k);
                long[] st = {stride, stride}, pd = {pad, pad}, dl = {1, 1};
                Tensor x = x0.copy().requiresGrad(true);
                Tensor w = w0.copy().requiresGrad(true);
                Tensor y;
                try (Autocast a = Autocast.enter(Device.CPU, DType.BFLOAT16)) {
                    y = F.conv2d(x, w, null, st, pd, dl, 1);
                }
                Tensor go = Tensor.randn(y.shape().toArray());
                y.to(DType.FLOAT32).mul(go).sum().backward();
                Tensor x64 = x0.to(DType.FLOAT64).requiresGrad(true);
                Tensor w64 = w0.to(DType.FLOAT64).requiresGrad(true);
                F.conv2d(x64, w64, null, st, pd, dl, 1).mul(go.to(DType.FLOAT64)).sum().backward();
                double ei = relErr(x64.grad().toDoubleArray(), x.grad().toDoubleArray());
                double ew = relErr(w64.grad().toDoubleArray(), w.grad().toDoubleArray());
                if (!Double.isFinite(ei) || !Double.isFinite(ew)) {
                    nonFinite++;
                } else {
                    worstInput = Math.max(worstInput, ei);
                    worstWeight = Math.max(worstWeight, ew);
                }
            }
        }
        return new double[] {worstInput, worstWeight, nonFinite};
    }

    private static double relErr(double[] exp, double[] got) {
        double d = 0;
        double n = 0;
        for (int i = 0; i < exp.length; i++) {
            d += (got[i] - exp[i]) * (got[i] - exp[i]);
            n += exp[i] * exp[i];
        }
        return Math.sqrt(d / Math.max(n, 1e-30));
    }

    private static double median(List<Double> v) {
        double[] a = v.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(a);
        return a.length == 0 ? Double.NaN : a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
    }

    public static void main(String[] args) throws Exception {
        int threads = 1;
        long limit = 20_000;
        int rounds = 3;
        String data = "/usr/share/datasets/fashion-mnist";
        List<String> precisions = List.of("f32", "bf16");
        boolean conv = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                case "--limit" -> limit = Long.parseLong(args[++i]);
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--data" -> data = args[++i];
                case "--precisions" -> precisions = List.of(args[++i].split(","));
                case "--conv-check" -> conv = true;
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        Torch.setNumThreads(threads);
        BenchData tr = BenchData.train(Path.of(data));
        BenchData te = BenchData.test(Path.of(data));
        Tensor xtr;
        Tensor ytr;
        Tensor xte;
        Tensor yte;
        try (TensorScope s = TensorScope.open()) {
            xtr = s.keep(Tensor.of(tr.images, tr.n, 784));
            ytr = s.keep(Tensor.of(tr.labels, tr.n));
            xte = s.keep(Tensor.of(te.images, te.n, 784));
            yte = s.keep(Tensor.of(te.labels, te.n));
        }
        for (String p : precisions) { // warm-up
            train(p, xtr, ytr, 64, 3_000);
            train(p, xtr, ytr, 512, 3_000);
        }
        StringBuilder json = new StringBuilder();
        json.append(String.format(Locale.ROOT, "{\"bench\": \"amp\", \"threads\": %d, \"mkldnn\": %b, "
                        + "\"openblas_coretype\": \"%s\", \"limit\": %d, \"rounds\": %d", Torch.numThreads(),
                Boolean.getBoolean("jtorch.mkldnn"), System.getenv().getOrDefault("OPENBLAS_CORETYPE", ""), limit,
                rounds));
        for (String p : precisions) {
            List<Double> b64 = new ArrayList<>();
            List<Double> b512 = new ArrayList<>();
            List<Double> inf = new ArrayList<>();
            double acc = 0;
            for (int r = 0; r < rounds; r++) {
                double[] a = trainAndAccuracy(p, xtr, ytr, xte, yte, limit);
                b64.add(a[0]);
                acc = a[1];
                inf.add(a[2]);
                b512.add(train(p, xtr, ytr, 512, limit));
            }
            json.append(String.format(Locale.ROOT, ", \"%s\": {\"train_b64_sps\": %.0f, \"train_b512_sps\": %.0f, "
                    + "\"infer_b1024_sps\": %.0f, \"test_acc_after_b64\": %.4f}", p, median(b64), median(b512),
                    median(inf), acc));
        }
        if (conv) {
            double[] c = convCheck(60);
            json.append(String.format(Locale.ROOT, ", \"conv_bf16_grad_check\": {\"worst_input_rel\": %.4g, "
                    + "\"worst_weight_rel\": %.4g, \"non_finite\": %d}", c[0], c[1], (int) c[2]));
        }
        json.append('}');
        System.out.println(json);
        xtr.close();
        ytr.close();
        xte.close();
        yte.close();
    }
}
