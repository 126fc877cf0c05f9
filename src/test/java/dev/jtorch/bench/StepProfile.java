package dev.jtorch.bench;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import dev.jtorch.DType;
import dev.jtorch.Device;
import dev.jtorch.Torch;
import dev.jtorch.data.Batch;
import dev.jtorch.data.DataLoader;
import dev.jtorch.data.DataSets;
import dev.jtorch.data.Dataset;
import dev.jtorch.data.Split;
import dev.jtorch.models.Architecture;
import dev.jtorch.internal.NativeDenseStep;
import dev.jtorch.nn.Linear;
import dev.jtorch.nn.Module;
import dev.jtorch.tensor.access.TensorAccess;
import java.util.List;
import dev.jtorch.nn.functional.F;
import dev.jtorch.optim.SGD;
import dev.jtorch.optim.SGDOptions;
import dev.jtorch.tensor.Shape;
import dev.jtorch.tensor.Tensor;
import dev.jtorch.tensor.TensorScope;

/**
 * Per-stage time of one training step as {@code Trainer.trainEpoch} runs it (device-resident shuffled
 * loader, SGD with momentum, the running loss/accuracy sums), 1 thread, for docs/profile.md. The
 * PyTorch side is {@code scripts/profile_step.py}.
 *
 * <p>Usage: {@code java ... dev.jtorch.bench.StepProfile [--model mlp|cnn] [--batch 64] [--steps 2000] [--dense] [--cpu] [--prefetch 2]}.
 */
public final class StepProfile {
    static double gemm(String name, Tensor a, Tensor b, double flops) {
        int reps = 2000;
        try (TensorScope w = TensorScope.open()) {
            for (int i = 0; i < 100; i++) {
                a.mm(b);
            }
        }
        double[] us = new double[5];
        for (int r = 0; r < us.length; r++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < reps; i++) {
                try (TensorScope w = TensorScope.open()) {
                    a.mm(b);
                }
            }
            us[r] = (System.nanoTime() - t0) / 1e3 / reps;
        }
        Arrays.sort(us);
        System.out.printf(Locale.ROOT, "  %-40s %8.1f us  %6.1f GFLOP/s%n", name, us[2], flops / us[2] / 1e3);
        return us[2];
    }

    /** The resident loader's gather, piece by piece (uint8 rows by index, then / 255 into float32). */
    static void gatherParts(int batch) {
        try (TensorScope s = TensorScope.open()) {
            Tensor px = Tensor.rand(60000, 784).mul(255).to(DType.UINT8);
            long[] idx = new long[batch];
            java.util.Random r = new java.util.Random(1);
            for (int i = 0; i < batch; i++) {
                idx[i] = r.nextInt(60000);
            }
            Tensor index = Tensor.of(idx, batch);
            Tensor rows = px.indexSelect(0, index);
            String[] names = {"index tensor", "index_select u8", "u8.div(255)", "u8.to(f32)", "f32.div_(255)"};
            for (int k = 0; k < names.length; k++) {
                long[] t = new long[2000];
                for (int i = 0; i < t.length + 200; i++) {
                    try (TensorScope w = TensorScope.open()) {
                        Tensor f = k == 4 ? rows.to(DType.FLOAT32) : null;
                        long a = now();
                        switch (k) {
                            case 0 -> Tensor.of(idx, batch);
                            case 1 -> px.indexSelect(0, index);
                            case 2 -> rows.div(255);
                            case 3 -> rows.to(DType.FLOAT32);
                            default -> f.div_(255);
                        }
                        if (i >= 200) {
                            t[i - 200] = now() - a;
                        }
                    }
                }
                Arrays.sort(t);
                System.out.printf(Locale.ROOT, "  %-18s %8.1f us%n", names[k], t[t.length / 2] / 1e3);
            }
        }
    }

    /** The step's products with the transposes autograd uses ({@code mm} on views). */
    static void gemms(int batch) {
        long b = batch;
        try (TensorScope s = TensorScope.open()) {
            Tensor x = Tensor.randn(b, 784), w1 = Tensor.randn(128, 784), w2 = Tensor.randn(10, 128);
            Tensor h = Tensor.randn(b, 128), g2 = Tensor.randn(b, 10), g1 = Tensor.randn(b, 128);
            System.out.printf(Locale.ROOT, "GEMMs of one step, batch %d, OPENBLAS_CORETYPE=%s%n", batch,
                    System.getenv("OPENBLAS_CORETYPE"));
            double tot = 0;
            tot += gemm("fc1 fwd x[" + b + ",784] @ W1^T", x, w1.t(), 2.0 * b * 784 * 128);
            tot += gemm("fc1 dW g1^T[128," + b + "] @ x", g1.t(), x, 2.0 * b * 784 * 128);
            tot += gemm("fc2 fwd h[" + b + ",128] @ W2^T", h, w2.t(), 2.0 * b * 128 * 10);
            tot += gemm("fc2 dx g2[" + b + ",10] @ W2", g2, w2, 2.0 * b * 128 * 10);
            tot += gemm("fc2 dW g2^T[10," + b + "] @ h", g2.t(), h, 2.0 * b * 128 * 10);
            System.out.printf(Locale.ROOT, "  sum of the step's products: %.1f us%n", tot);
        }
    }

    static boolean cpu;
    /** The loader's prefetch depth; 0 gathers on the training thread. */
    static int prefetch = 2;
    static final java.lang.management.ThreadMXBean MX = java.lang.management.ManagementFactory.getThreadMXBean();

    /** Wall ns, or this thread's CPU ns with --cpu (robust against other processes on the machine). */
    static long now() {
        return cpu ? MX.getCurrentThreadCpuTime() : System.nanoTime();
    }

    public static void main(String[] args) {
        String model = "mlp";
        int batch = 64, steps = 2000;
        boolean dense = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--model" -> model = args[++i];
                case "--batch" -> batch = Integer.parseInt(args[++i]);
                case "--steps" -> steps = Integer.parseInt(args[++i]);
                case "--dense" -> dense = true;
                case "--prefetch" -> prefetch = Integer.parseInt(args[++i]);
                case "--gather" -> {
                    Torch.setNumThreads(1);
                    gatherParts(Integer.parseInt(args[++i]));
                    return;
                }
                case "--cpu" -> cpu = true;
                case "--gemm" -> {
                    Torch.setNumThreads(1);
                    gemms(Integer.parseInt(args[++i]));
                    return;
                }
                default -> throw new IllegalArgumentException(args[i]);
            }
        }
        Torch.setNumThreads(1);
        Dataset train = DataSets.load(Path.of("/usr/share/datasets/fashion-mnist"), Split.TRAIN);
        String[] names = {"gather", "zero_grad", "forward", "loss", "backward", "argmax", "step", "sums", "total"};
        long[][] t = new long[names.length][steps];
        Torch.manualSeed(42);
        try (TensorScope run = TensorScope.open();
             Module m = Architecture.of(model).create();
             DataLoader loader = DataLoader.builder(train).batchSize(batch).shuffle(true).seed(0)
                     .device(Device.CPU).deviceResident(true).prefetch(prefetch).build()) {
            SGD opt = new SGD(m.parameters(), SGDOptions.lr(0.01).withMomentum(0.9));
            NativeDenseStep ds = null;
            if (dense) {
                Linear fc1 = (Linear) m.children().get(0), fc2 = (Linear) m.children().get(1);
                ds = new NativeDenseStep(List.of(TensorAccess.handle(fc1.weight()), TensorAccess.handle(fc2.weight())),
                        List.of(TensorAccess.handle(fc1.bias()), TensorAccess.handle(fc2.bias())));
            }
            Tensor lossSum = Tensor.zeros(Shape.of(), DType.FLOAT64, Device.CPU);
            Tensor correct = Tensor.zeros(Shape.of(), DType.INT64, Device.CPU);
            m.train();
            int warm = 300, done = 0, epoch = 0;
            while (done < warm + steps) {
                try (DataLoader.BatchIterator it = loader.epoch(epoch++).iterator()) {
                    while (it.hasNext() && done < warm + steps) {
                        try (TensorScope s = TensorScope.open()) {
                            long a0 = now();
                            Batch b = it.next();
                            long a1 = now();
                            long a2, a3, a4, a5, a6, a7, a8;
                            if (ds != null) {
                                a2 = now();
                                NativeDenseStep.Outcome o = ds.run(TensorAccess.handle(b.images()),
                                        TensorAccess.handle(b.labels()));
                                a3 = a4 = a5 = a6 = now();
                                opt.step();
                                a7 = a8 = now();
                            } else {
                                opt.zeroGrad();
                                a2 = now();
                                Tensor logits = m.forward(b.images());
                                a3 = now();
                                Tensor loss = F.crossEntropy(logits, b.labels());
                                a4 = now();
                                loss.backward();
                                a5 = now();
                                Tensor right = logits.argmax(1).eq(b.labels()).sum();
                                a6 = now();
                                opt.step();
                                a7 = now();
                                lossSum.add_(loss.detach(), b.size());
                                correct.add_(right);
                                a8 = now();
                            }
                            if (done >= warm) {
                                int k = done - warm;
                                long[] v = {a1 - a0, a2 - a1, a3 - a2, a4 - a3, a5 - a4, a6 - a5, a7 - a6, a8 - a7, a8 - a0};
                                for (int j = 0; j < v.length; j++) {
                                    t[j][k] = v[j];
                                }
                            }
                            done++;
                        }
                    }
                }
            }
        }
        System.out.printf(Locale.ROOT, "jtorch %s model=%s batch=%d dense=%s clock=%s%n", Torch.version(), model, batch,
                dense, cpu ? "thread-cpu" : "wall");
        Map<String, Double> med = new LinkedHashMap<>();
        for (int j = 0; j < names.length; j++) {
            long[] c = t[j].clone();
            Arrays.sort(c);
            med.put(names[j], c[c.length / 2] / 1e3);
            System.out.printf(Locale.ROOT, "  %-10s %9.1f us%n", names[j], c[c.length / 2] / 1e3);
        }
        double mean = Arrays.stream(t[names.length - 1]).average().orElse(0) / 1e3;
        System.out.printf(Locale.ROOT, "  => %,.0f samples/s (median step), %,.0f (mean step %.1f us)%n",
                batch / med.get("total") * 1e6, batch / mean * 1e6, mean);
    }
}
