package dev.jtorch.train;

import dev.jtorch.Torch;
import dev.jtorch.models.Architecture;

/**
 * How a training run spends its cores: libtorch's OpenMP pool or OpenBLAS's pool, never both.
 *
 * <p>On a few cores the two pools cannot share: both spin while waiting, and together they made
 * training up to 48x slower (README, "Threads"). So one of them gets the cores and the other
 * stays at one thread, chosen from what was measured on the benchmark workloads:
 * <ul>
 *   <li>convolutional models: libtorch's pool, which splits each convolution over the batch;</li>
 *   <li>dense models at batch {@value #BLAS_MIN_BATCH} or more: OpenBLAS's pool, because the
 *       matrix products are the step (at b2048 and b8192 it beat one thread in 4 of 4 interleaved
 *       runs on 2 vCPUs), while libtorch's elementwise kernels lose more to fork/join than they gain;</li>
 *   <li>dense models below that batch: one thread. Products of 64 to 512 rows are too small to
 *       split profitably: on 2 vCPUs, libtorch's pool cost 10-20% at b64 and b512, and OpenBLAS's
 *       pool cost ~13% at b512 (medians of interleaved CLI runs, README "Benchmarks"), so the
 *       other core is left to the JVM.</li>
 * </ul>
 *
 * @param intraOp libtorch's intra-op threads
 * @param blas OpenBLAS's threads
 * @param why one line for the log
 */
public record ThreadPlan(int intraOp, int blas, String why) {
    /** System property {@code INTRA,BLAS} (e.g. {@code 1,2}) that replaces the plan, for experiments. */
    public static final String PROPERTY = "jtorch.threadPlan";

    private static ThreadPlan parse(String s) {
        String[] parts = s.split(",");
        try {
            if (parts.length == 2) {
                int intra = Integer.parseInt(parts[0].trim());
                int blas = Integer.parseInt(parts[1].trim());
                if (intra >= 1 && blas >= 1) {
                    return new ThreadPlan(intra, blas, "-D" + PROPERTY + "=" + s);
                }
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("-D" + PROPERTY + " must be INTRA,BLAS with positive counts, got '" + s + "'");
    }

    /** Smallest batch at which a dense model's products are worth splitting over OpenBLAS threads. */
    public static final int BLAS_MIN_BATCH = 2048;

    /**
     * The plan for training {@code arch} at {@code batchSize} on {@code cores} cores.
     *
     * @throws IllegalArgumentException if {@code cores} or {@code batchSize} is below 1
     */
    public static ThreadPlan forTraining(Architecture arch, int batchSize, int cores) {
        if (cores < 1 || batchSize < 1) {
            throw new IllegalArgumentException("cores and batch size must be >= 1, got " + cores + ", " + batchSize);
        }
        String forced = System.getProperty(PROPERTY);
        if (forced != null) {
            return parse(forced);
        }
        if (cores == 1) {
            return new ThreadPlan(1, 1, "one core");
        }
        if (arch != Architecture.MLP) {
            return new ThreadPlan(cores, 1, "convolutions split over the batch in libtorch's pool");
        }
        if (batchSize >= BLAS_MIN_BATCH) {
            return new ThreadPlan(1, cores, "dense model at batch " + batchSize + ": OpenBLAS splits the products");
        }
        return new ThreadPlan(1, 1, "dense model at batch " + batchSize
                + " < " + BLAS_MIN_BATCH + ": too small to split; the other cores feed the data");
    }

    /** Applies the plan to this process (libtorch first, since it resets OpenBLAS to one thread). */
    public void apply() {
        Torch.setNumThreads(intraOp);
        if (blas > 1) {
            Torch.setBlasThreads(blas);
        }
    }
}
