package dev.jtorch.bench;

import static org.bytedeco.pytorch.global.torch.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.LongOptional;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.SGD;
import org.bytedeco.pytorch.SGDOptions;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;

/**
 * Benchmark peer: the raw JavaCPP Presets for PyTorch 2.10.0-1.5.13, used the way the presets' own examples use
 * them (a {@code Module} subclass with {@code register_module}, {@code PointerScope} per step, JavaCPP's default
 * GC tracking left on). Same workload as {@code JtorchBench} and {@code scripts/bench_pytorch.py}; see
 * {@code scripts/bench}.
 *
 * <p>Usage: {@code java ... dev.jtorch.bench.RawPresetsBench [--threads N] [--data DIR] [--limit N] [--prime]
 * [--add-only]}.
 * Prints one JSON line.
 */
public final class RawPresetsBench {
    static final long SEED = 42;
    static final double LR = 0.01, MOMENTUM = 0.9;
    static final int WARM_B64 = 200, WARM_B512 = 20, WARM_B1 = 500, INFER_B1_CALLS = 2000, EVAL_BATCH = 1024;
    static final int ADD_WARM = 20000, ADD_N = 1000, ADD_REPS = 41;

    static final class SimpleNN extends Module {
        final LinearImpl fc1 = register_module("fc1", new LinearImpl(784, 128));
        final LinearImpl fc2 = register_module("fc2", new LinearImpl(128, 10));

        Tensor forward(Tensor x) {
            return fc2.forward(relu(fc1.forward(x)));
        }
    }

    static Tensor floats(float[] a, long... shape) {
        FloatPointer p = new FloatPointer(a);
        Tensor t = from_blob(p, shape).clone();
        p.deallocate();
        return t;
    }

    static Tensor longs(long[] a) {
        LongPointer p = new LongPointer(a);
        TensorOptions o = new TensorOptions(ScalarType.Long);
        Tensor t = from_blob(p, new long[] {a.length}, o).clone();
        o.close();
        p.deallocate();
        return t;
    }

    static SGD newSgd(Module m) {
        SGDOptions o = new SGDOptions(LR);
        o.momentum().put(MOMENTUM);
        return new SGD(m.parameters(), o);
    }

    /** One pass over the first {@code limit} samples in order; at most {@code maxSteps} steps if >= 0. */
    static long trainSteps(SimpleNN m, SGD opt, Tensor x, Tensor y, int bs, long limit, int maxSteps) {
        m.train(true);
        long n = Math.min(limit, x.size(0)), seen = 0;
        int step = 0;
        for (long start = 0; start < n; start += bs) {
            if (maxSteps >= 0 && step >= maxSteps) break;
            long len = Math.min(bs, n - start);
            try (PointerScope scope = new PointerScope()) {
                Tensor xb = x.narrow(0, start, len);
                Tensor yb = y.narrow(0, start, len);
                opt.zero_grad(false); // zero, not set_to_none (as every peer)
                Tensor loss = cross_entropy_loss(m.forward(xb), yb);
                loss.backward();
                opt.step();
            }
            seen += len;
            step++;
        }
        return seen;
    }

    static long predictB1(SimpleNN m, Tensor x1) {
        try (PointerScope scope = new PointerScope()) {
            return softmax(m.forward(x1), 1).argmax(new LongOptional(1), false).item_long();
        }
    }

    static double accuracy(SimpleNN m, Tensor x, Tensor y) {
        m.eval();
        long correct = 0, n = x.size(0);
        try (NoGradGuard ng = new NoGradGuard()) {
            for (long s = 0; s < n; s += EVAL_BATCH) {
                long len = Math.min(EVAL_BATCH, n - s);
                try (PointerScope scope = new PointerScope()) {
                    Tensor pred = softmax(m.forward(x.narrow(0, s, len)), 1).argmax(new LongOptional(1), false);
                    correct += pred.eq(y.narrow(0, s, len)).sum().item_long();
                }
            }
        }
        return (double) correct / n;
    }

    /** Median ns per {@code add} of two 1-element float tensors under no-grad; results freed every 100 ops. */
    static double addNs() {
        try (NoGradGuard ng = new NoGradGuard(); PointerScope outer = new PointerScope()) {
            Tensor a = ones(1), b = ones(1);
            for (int i = 0; i < ADD_WARM / 100; i++)
                try (PointerScope s = new PointerScope()) {
                    for (int j = 0; j < 100; j++) add(a, b);
                }
            double[] per = new double[ADD_REPS];
            for (int r = 0; r < ADD_REPS; r++) {
                long t = System.nanoTime();
                for (int i = 0; i < ADD_N / 100; i++)
                    try (PointerScope s = new PointerScope()) {
                        for (int j = 0; j < 100; j++) add(a, b);
                    }
                per[r] = (System.nanoTime() - t) / (double) ADD_N;
            }
            Arrays.sort(per);
            return per[ADD_REPS / 2];
        }
    }

    static double medianUs(long[] ns) {
        long[] s = ns.clone();
        Arrays.sort(s);
        int h = s.length / 2;
        return (s.length % 2 == 1 ? s[h] : (s[h - 1] + s[h]) / 2.0) / 1e3;
    }

    static long vmKb(String key) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status")))
            if (line.startsWith(key + ":")) return Long.parseLong(line.substring(key.length() + 1).trim().split("\\s+")[0]);
        return -1;
    }

    public static void main(String[] args) throws Exception {
        long t0 = System.nanoTime();
        int threads = 1;
        long limit = Long.MAX_VALUE;
        String data = "/usr/share/datasets/fashion-mnist";
        boolean prime = false, addOnly = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                case "--data" -> data = args[++i];
                case "--limit" -> limit = Long.parseLong(args[++i]);
                case "--prime" -> prime = true;
                case "--add-only" -> addOnly = true;
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        Tensor first = zeros(1); // loads the natives (and, on an empty cache, extracts them)
        double firstMs = (System.nanoTime() - t0) / 1e6;
        if (prime) {
            System.out.println("{\"peer\": \"raw-presets\", \"primed\": true}");
            return;
        }
        set_num_threads(threads);
        if (addOnly) { // the tiny-op figure alone, for diagnosing it
            System.out.printf(Locale.ROOT, "{\"peer\": \"raw-presets\", \"add_ns\": %.1f, \"pointer_gc\": %b}%n", addNs(),
                    !Boolean.parseBoolean(System.getProperty("org.bytedeco.javacpp.nopointergc", "false")));
            return;
        }

        long t = System.nanoTime();
        BenchData tr = BenchData.train(Path.of(data)), te = BenchData.test(Path.of(data));
        Tensor xtr = floats(tr.images, tr.n, 784), ytr = longs(tr.labels);
        Tensor xte = floats(te.images, te.n, 784), yte = longs(te.labels);
        double loadS = (System.nanoTime() - t) / 1e9;
        Tensor x1 = xte.narrow(0, 0, 1);

        // ---- warm-up on a throwaway model ----
        {
            manual_seed(SEED);
            SimpleNN m = new SimpleNN();
            SGD o = newSgd(m);
            trainSteps(m, o, xtr, ytr, 64, Long.MAX_VALUE, WARM_B64);
            trainSteps(m, o, xtr, ytr, 512, Long.MAX_VALUE, WARM_B512);
            m.eval();
            try (NoGradGuard ng = new NoGradGuard()) {
                for (int i = 0; i < WARM_B1; i++) predictB1(m, x1);
            }
            o.close();
            m.close();
        }

        // ---- a. one epoch at batch 64, then test accuracy ----
        manual_seed(SEED);
        SimpleNN mlp = new SimpleNN();
        SGD opt = newSgd(mlp);
        t = System.nanoTime();
        long n = trainSteps(mlp, opt, xtr, ytr, 64, limit, -1);
        double b64S = (System.nanoTime() - t) / 1e9;
        double acc = accuracy(mlp, xte, yte);

        // ---- a. one epoch at batch 512, fresh model ----
        manual_seed(SEED);
        SimpleNN m2 = new SimpleNN();
        SGD o2 = newSgd(m2);
        t = System.nanoTime();
        long n512 = trainSteps(m2, o2, xtr, ytr, 512, limit, -1);
        double b512S = (System.nanoTime() - t) / 1e9;
        o2.close();
        m2.close();

        // ---- b. tiny-op loop ----
        double addNs = addNs();

        // ---- c. batch-1 inference with the b64-trained model ----
        mlp.eval();
        long[] lat = new long[INFER_B1_CALLS];
        long sink = 0;
        try (NoGradGuard ng = new NoGradGuard()) {
            for (int i = 0; i < INFER_B1_CALLS; i++) {
                long a = System.nanoTime();
                sink += predictB1(mlp, x1);
                lat[i] = System.nanoTime() - a;
            }
        }
        double mean = Arrays.stream(lat).average().orElse(0) / 1e3;

        System.out.printf(Locale.ROOT,
                "{\"peer\": \"raw-presets\", \"version\": \"pytorch 2.10.0-1.5.13\", \"threads_requested\": %d, "
                        + "\"num_threads\": %d, \"epoch_samples\": %d, "
                        + "\"train_b64_sps\": %.1f, \"train_b64_epoch_s\": %.4f, \"test_acc\": %.4f, "
                        + "\"train_b512_sps\": %.1f, \"train_b512_epoch_s\": %.4f, "
                        + "\"add_ns\": %.1f, \"infer_b1_us\": %.3f, \"infer_b1_mean_us\": %.3f, \"b1_class\": %d, "
                        + "\"load_s\": %.3f, \"first_tensor_ms\": %.1f, \"os_threads_at_end\": %d, "
                        + "\"peak_rss_mb\": %.1f, \"total_s\": %.3f}%n",
                threads, get_num_threads(), n, n / b64S, b64S, acc, n512 / b512S, b512S, addNs, medianUs(lat), mean,
                sink / INFER_B1_CALLS, loadS, firstMs, new java.io.File("/proc/self/task").list().length,
                vmKb("VmHWM") / 1024.0, (System.nanoTime() - t0) / 1e9);
        opt.close();
        mlp.close();
    }
}
