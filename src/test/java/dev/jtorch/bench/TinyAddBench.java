package dev.jtorch.bench;

import dev.jtorch.tensor.Tensor;
import dev.jtorch.tensor.TensorScope;
import java.util.Arrays;

/**
 * The per-op overhead of the smallest op: {@code x.add(y)} on one-element tensors, 2 million
 * times in scopes of 1000, median of five runs after a warm-up. Run with
 * {@code java -cp target/classes:target/test-classes:<deps> dev.jtorch.bench.TinyAddBench}.
 */
public final class TinyAddBench {
    private TinyAddBench() {}

    public static void main(String[] args) {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 2_000_000;
        try (TensorScope outer = TensorScope.open()) {
            Tensor x = Tensor.of(new float[] {1f}, 1);
            Tensor y = Tensor.of(new float[] {2f}, 1);
            run(x, y, n / 2);
            run(x, y, n / 2);
            double[] ns = new double[5];
            for (int r = 0; r < ns.length; r++) {
                ns[r] = run(x, y, n);
            }
            Arrays.sort(ns);
            System.out.printf("tiny add: median %.1f ns/op (runs %s)%n", ns[2], Arrays.toString(ns));
        }
    }

    private static double run(Tensor x, Tensor y, int n) {
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i += 1000) {
            try (TensorScope s = TensorScope.open()) {
                for (int k = 0; k < 1000; k++) {
                    x.add(y);
                }
            }
        }
        return (System.nanoTime() - t0) / (double) n;
    }
}
