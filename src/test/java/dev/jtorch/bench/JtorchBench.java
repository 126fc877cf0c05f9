package dev.jtorch.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.Locale;

import dev.jtorch.Torch;
import dev.jtorch.autograd.NoGrad;
import dev.jtorch.nn.Linear;
import dev.jtorch.nn.Module;
import dev.jtorch.nn.functional.F;
import dev.jtorch.optim.SGD;
import dev.jtorch.optim.SGDOptions;
import dev.jtorch.tensor.Tensor;
import dev.jtorch.tensor.TensorScope;

/**
 * Benchmark peer: jtorch through its public API only (no {@code org.bytedeco} import). Same workload as
 * {@code RawPresetsBench} and {@code scripts/bench_pytorch.py}; see {@code scripts/bench}.
 *
 * <p>Besides the shared workload it measures host-array inference the way {@code scripts/bench_pytorch.py} does
 * (784 floats in a {@code float[]} -> 10 probabilities in a {@code float[]}, batch 1 and batch 1024) and, when
 * the environment variable {@code BENCH_T0_NS} (wall-clock ns, set by the runner just before exec) is present,
 * the time from JVM start to the first tensor, as the peers harness ({@code ../shared/peers}) measures it.
 *
 * <p>Usage: {@code java ... dev.jtorch.bench.JtorchBench [--threads N] [--data DIR] [--limit N] [--prime]}.
 * Prints one JSON line.
 */
public final class JtorchBench {
    static final long SEED = 42;
    static final double LR = 0.01, MOMENTUM = 0.9;
    static final int WARM_B64 = 200, WARM_B512 = 20, WARM_B1 = 500, INFER_B1_CALLS = 2000, EVAL_BATCH = 1024;
    static final int ADD_WARM = 20000, ADD_N = 1000, ADD_REPS = 41;
    static final int HOST_BIG = 1024, HOST_BIG_PASSES = 5, HOST_WARM_BIG = 3;

    static final class SimpleNN extends Module {
        final Linear fc1 = register("fc1", new Linear(784, 128));
        final Linear fc2 = register("fc2", new Linear(128, 10));

        @Override
        public Tensor forward(Tensor x) {
            return fc2.forward(F.relu(fc1.forward(x)));
        }
    }

    static SGD newSgd(Module m) {
        return new SGD(m.parameters(), SGDOptions.lr(LR).withMomentum(MOMENTUM));
    }

    /** One pass over the first {@code limit} samples in order; at most {@code maxSteps} steps if >= 0. */
    static long trainSteps(SimpleNN m, SGD opt, Tensor x, Tensor y, int bs, long limit, int maxSteps) {
        m.train();
        long n = Math.min(limit, x.size(0)), seen = 0;
        int step = 0;
        for (long start = 0; start < n; start += bs) {
            if (maxSteps >= 0 && step >= maxSteps) break;
            long len = Math.min(bs, n - start);
            try (TensorScope s = TensorScope.open()) {
                Tensor xb = x.narrow(0, start, len);
                Tensor yb = y.narrow(0, start, len);
                opt.zeroGrad(false); // zero in place, not set-to-none (as every peer)
                Tensor loss = F.crossEntropy(m.forward(xb), yb);
                loss.backward();
                opt.step();
            }
            seen += len;
            step++;
        }
        return seen;
    }

    static long predictB1(SimpleNN m, Tensor x1) {
        try (TensorScope s = TensorScope.open()) {
            return F.softmax(m.forward(x1), 1).argmax(1).itemLong();
        }
    }

    static double accuracy(SimpleNN m, Tensor x, Tensor y) {
        m.eval();
        long correct = 0, n = x.size(0);
        try (NoGrad g = NoGrad.enter()) {
            for (long s = 0; s < n; s += EVAL_BATCH) {
                long len = Math.min(EVAL_BATCH, n - s);
                try (TensorScope sc = TensorScope.open()) {
                    Tensor pred = F.softmax(m.forward(x.narrow(0, s, len)), 1).argmax(1);
                    correct += pred.eq(y.narrow(0, s, len)).sum().itemLong();
                }
            }
        }
        return (double) correct / n;
    }

    /** Median ns per {@code add} of two 1-element float tensors under no-grad; results freed every 100 ops. */
    static double addNs() {
        try (NoGrad g = NoGrad.enter(); TensorScope outer = TensorScope.open()) {
            Tensor a = Tensor.of(new float[] {1f}, 1), b = Tensor.of(new float[] {1f}, 1);
            for (int i = 0; i < ADD_WARM / 100; i++)
                try (TensorScope s = TensorScope.open()) {
                    for (int j = 0; j < 100; j++) a.add(b);
                }
            double[] per = new double[ADD_REPS];
            for (int r = 0; r < ADD_REPS; r++) {
                long t = System.nanoTime();
                for (int i = 0; i < ADD_N / 100; i++)
                    try (TensorScope s = TensorScope.open()) {
                        for (int j = 0; j < 100; j++) a.add(b);
                    }
                per[r] = (System.nanoTime() - t) / (double) ADD_N;
            }
            Arrays.sort(per);
            return per[ADD_REPS / 2];
        }
    }

    /** Batch-1 host-array inference: {@code float[784]} in, the 10 softmax probabilities out as a {@code float[]}. */
    static float[] probsB1(SimpleNN m, float[] pixels) {
        try (TensorScope s = TensorScope.open()) {
            return F.softmax(m.forward(Tensor.of(pixels, 1, 784)), 1).toFloatArray();
        }
    }

    /** Batch host-array inference: {@code rows * 784} floats in, {@code rows * 10} probabilities out. */
    static float[] probsBatch(SimpleNN m, float[] pixels, int rows) {
        try (TensorScope s = TensorScope.open()) {
            return F.softmax(m.forward(Tensor.of(pixels, rows, 784)), 1).toFloatArray();
        }
    }

    /** The test images cut into host arrays of {@link #HOST_BIG} rows (the last one shorter), as the Python peer. */
    static float[][] hostBatches(BenchData te) {
        int nb = (te.n + HOST_BIG - 1) / HOST_BIG;
        float[][] out = new float[nb][];
        for (int b = 0; b < nb; b++) {
            int from = b * HOST_BIG, rows = Math.min(HOST_BIG, te.n - from);
            out[b] = Arrays.copyOfRange(te.images, from * 784, (from + rows) * 784);
        }
        return out;
    }

    /** Wall-clock ns since the epoch, at microsecond resolution (comparable with {@code date +%s%N}). */
    static long wallNs() {
        Instant i = Instant.now();
        return i.getEpochSecond() * 1_000_000_000L + i.getNano();
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
        boolean prime = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                case "--data" -> data = args[++i];
                case "--limit" -> limit = Long.parseLong(args[++i]);
                case "--prime" -> prime = true;
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        try (TensorScope s = TensorScope.open()) {
            Tensor.of(new float[] {0f}, 1); // loads the natives
        }
        double firstMs = (System.nanoTime() - t0) / 1e6;
        String t0Env = System.getenv("BENCH_T0_NS");
        double startToFirstMs = t0Env == null || t0Env.isBlank() ? -1 : (wallNs() - Long.parseLong(t0Env.trim())) / 1e6;
        if (prime) {
            System.out.printf(Locale.ROOT, "{\"peer\": \"jtorch\", \"primed\": true, \"first_tensor_ms\": %.1f, "
                    + "\"start_to_first_tensor_ms\": %.1f}%n", firstMs, startToFirstMs);
            return;
        }
        Torch.setNumThreads(threads);

        long t = System.nanoTime();
        BenchData tr = BenchData.train(Path.of(data)), te = BenchData.test(Path.of(data));
        Tensor xtr, ytr, xte, yte, x1;
        try (TensorScope s = TensorScope.open()) {
            xtr = s.keep(Tensor.of(tr.images, tr.n, 784));
            ytr = s.keep(Tensor.of(tr.labels, tr.n));
            xte = s.keep(Tensor.of(te.images, te.n, 784));
            yte = s.keep(Tensor.of(te.labels, te.n));
            x1 = s.keep(xte.narrow(0, 0, 1));
        }
        double loadS = (System.nanoTime() - t) / 1e9;

        // ---- warm-up on a throwaway model ----
        {
            Torch.manualSeed(SEED);
            SimpleNN m = new SimpleNN();
            SGD o = newSgd(m);
            trainSteps(m, o, xtr, ytr, 64, Long.MAX_VALUE, WARM_B64);
            trainSteps(m, o, xtr, ytr, 512, Long.MAX_VALUE, WARM_B512);
            m.eval();
            try (NoGrad g = NoGrad.enter()) {
                for (int i = 0; i < WARM_B1; i++) predictB1(m, x1);
            }
            o.close();
            m.close();
        }

        // ---- a. one epoch at batch 64, then test accuracy ----
        Torch.manualSeed(SEED);
        SimpleNN mlp = new SimpleNN();
        SGD opt = newSgd(mlp);
        t = System.nanoTime();
        long n = trainSteps(mlp, opt, xtr, ytr, 64, limit, -1);
        double b64S = (System.nanoTime() - t) / 1e9;
        double acc = accuracy(mlp, xte, yte);

        // ---- a. one epoch at batch 512, fresh model ----
        Torch.manualSeed(SEED);
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
        try (NoGrad g = NoGrad.enter()) {
            for (int i = 0; i < INFER_B1_CALLS; i++) {
                long a = System.nanoTime();
                sink += predictB1(mlp, x1);
                lat[i] = System.nanoTime() - a;
            }
        }
        double mean = Arrays.stream(lat).average().orElse(0) / 1e3;

        // ---- d. host-array inference (float[] in, float[] of probabilities out), same work as bench_pytorch.py ----
        float[] px1 = Arrays.copyOfRange(te.images, 0, 784);
        float[][] big = hostBatches(te);
        long[] hostLat = new long[INFER_B1_CALLS];
        double probSink = 0;
        long bigN = 0;
        double bigS;
        try (NoGrad g = NoGrad.enter()) {
            for (int i = 0; i < WARM_B1; i++) probSink += probsB1(mlp, px1)[0];
            for (int i = 0; i < INFER_B1_CALLS; i++) {
                long a = System.nanoTime();
                float[] p = probsB1(mlp, px1);
                hostLat[i] = System.nanoTime() - a;
                probSink += p[9];
            }
            for (int i = 0; i < HOST_WARM_BIG; i++) probSink += probsBatch(mlp, big[0], HOST_BIG)[0];
            long a = System.nanoTime();
            for (int pass = 0; pass < HOST_BIG_PASSES; pass++)
                for (float[] b : big) {
                    int rows = b.length / 784;
                    probSink += probsBatch(mlp, b, rows)[rows * 10 - 1];
                    bigN += rows;
                }
            bigS = (System.nanoTime() - a) / 1e9;
        }

        System.out.printf(Locale.ROOT,
                "{\"peer\": \"jtorch\", \"version\": \"jtorch %s, presets %s\", \"threads_requested\": %d, "
                        + "\"num_threads\": %d, \"blas_threads\": %d, \"pointer_gc\": %b, \"epoch_samples\": %d, "
                        + "\"train_b64_sps\": %.1f, \"train_b64_epoch_s\": %.4f, \"test_acc\": %.4f, "
                        + "\"train_b512_sps\": %.1f, \"train_b512_epoch_s\": %.4f, "
                        + "\"add_ns\": %.1f, \"infer_b1_us\": %.3f, \"infer_b1_mean_us\": %.3f, \"b1_class\": %d, "
                        + "\"infer_host_b1_us\": %.3f, \"infer_host_b1024_sps\": %.1f, \"prob_sink\": %.4f, "
                        + "\"load_s\": %.3f, \"first_tensor_ms\": %.1f, \"start_to_first_tensor_ms\": %.1f, "
                        + "\"os_threads_at_end\": %d, "
                        + "\"peak_rss_mb\": %.1f, \"total_s\": %.3f}%n",
                Torch.version(), Torch.presetsVersion(), threads, Torch.numThreads(), Torch.blasThreads(),
                Torch.pointerGc(), n, n / b64S, b64S, acc, n512 / b512S, b512S, addNs, medianUs(lat), mean,
                sink / INFER_B1_CALLS, medianUs(hostLat), bigN / bigS, probSink, loadS, firstMs, startToFirstMs,
                new java.io.File("/proc/self/task").list().length,
                vmKb("VmHWM") / 1024.0, (System.nanoTime() - t0) / 1e9);
        opt.close();
        mlp.close();
        x1.close();
        xtr.close();
        ytr.close();
        xte.close();
        yte.close();
    }
}
