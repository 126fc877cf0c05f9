package dev.jtorch.bench;

import dev.jtorch.Torch;
import dev.jtorch.distributed.Backend;
import dev.jtorch.distributed.DistributedDataParallel;
import dev.jtorch.distributed.ProcessGroup;
import dev.jtorch.models.SimpleNN;
import dev.jtorch.nn.functional.F;
import dev.jtorch.tensor.Tensor;
import dev.jtorch.tensor.TensorScope;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;

/**
 * Time of one {@link DistributedDataParallel#syncGradients()} of the SimpleNN's gradients (101,770
 * floats, one bucket) between processes on this machine: {@code AllReduceBench RANK WORLD PORT [ITERS]}.
 * Rank 0 prints the median, p10 and p90 in microseconds.
 */
public final class AllReduceBench {
    private AllReduceBench() {}

    public static void main(String[] args) {
        int rank = Integer.parseInt(args[0]);
        int world = Integer.parseInt(args[1]);
        int port = Integer.parseInt(args[2]);
        int iters = args.length > 3 ? Integer.parseInt(args[3]) : 500;
        Torch.setNumThreads(1);
        try (ProcessGroup g = ProcessGroup.init(Backend.GLOO, ProcessGroup.tcp("127.0.0.1", port), rank, world,
                Duration.ofSeconds(60));
             SimpleNN m = new SimpleNN(); DistributedDataParallel ddp = new DistributedDataParallel(m, g)) {
            try (TensorScope s = TensorScope.open()) {
                F.crossEntropy(m.forward(Tensor.rand(64, 784)), Tensor.of(new long[64], 64)).backward();
            }
            long[] ns = new long[iters];
            for (int i = 0; i < iters + 50; i++) {
                long t0 = System.nanoTime();
                ddp.syncGradients();
                if (i >= 50) {
                    ns[i - 50] = System.nanoTime() - t0;
                }
            }
            Arrays.sort(ns);
            if (rank == 0) {
                System.out.printf(Locale.ROOT, "world %d, %d params in %d bucket(s): syncGradients median %.1f us,"
                        + " p10 %.1f us, p90 %.1f us (%d iterations)%n", world, m.parameterCount(), ddp.bucketCount(),
                        ns[iters / 2] / 1e3, ns[iters / 10] / 1e3, ns[iters * 9 / 10] / 1e3, iters);
            }
        }
    }
}
