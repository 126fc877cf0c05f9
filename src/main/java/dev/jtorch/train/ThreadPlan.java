package dev.jtorch.train;

import dev.jtorch.Torch;
import dev.jtorch.models.Architecture;

/**
 * How a training run or a server spends its cores: Java threads that split each batch (or serve
 * requests side by side, {@link #forServing}), libtorch's OpenMP pool, or OpenBLAS's pool, never
 * two of them on the same cores.
 *
 * <p>On a few cores the pools cannot share: both spin while waiting, and libtorch's plus
 * OpenBLAS's made training collapse (docs/design.md, "One thread pool at a time"). So one way gets
 * the cores and the others stay at one thread, chosen from what was measured on the benchmark
 * workloads (figures in docs/benchmarks.md):
 * <ul>
 *   <li>convolutional models at batch {@value #SPLIT_MIN_BATCH} or more: the batch is split over
 *       threads ({@link SplitStep}), each running forward and backward of its part with one
 *       libtorch thread. libtorch's own pool splits a convolution's per-sample loops but runs the
 *       whole-batch products on one thread, so the split gains more from each core. Below that batch
 *       one thread was faster than either;</li>
 *   <li>dense models at batch {@value #BLAS_MIN_BATCH} or more: OpenBLAS's pool, because the
 *       matrix products are the step (there it beat one thread consistently), while libtorch's
 *       elementwise kernels lose more to fork/join than they gain;</li>
 *   <li>dense models below that batch: one thread. Products of 64 to 512 rows are too small to
 *       split profitably: on few cores either pool and a split batch each made the step slower
 *       than one thread, so the other cores are left to the JVM.</li>
 * </ul>
 *
 * @param intraOp libtorch's intra-op threads
 * @param blas OpenBLAS's threads
 * @param split threads that share each training batch (1: no split)
 * @param why one line for the log
 */
public record ThreadPlan(int intraOp, int blas, int split, String why) {
    /**
     * System property {@code INTRA,BLAS[,SPLIT]} (e.g. {@code 1,2} or {@code 1,1,2}) that replaces
     * the plan, for experiments.
     */
    public static final String PROPERTY = dev.jtorch.Property.THREAD_PLAN.key();

    private static ThreadPlan parse(String s) {
        String[] parts = s.split(",");
        try {
            if (parts.length == 2 || parts.length == 3) {
                int intra = Integer.parseInt(parts[0].trim());
                int blas = Integer.parseInt(parts[1].trim());
                int split = parts.length == 3 ? Integer.parseInt(parts[2].trim()) : 1;
                if (intra >= 1 && blas >= 1 && split >= 1) {
                    return new ThreadPlan(intra, blas, split, "-D" + PROPERTY + "=" + s);
                }
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("-D" + PROPERTY + " must be INTRA,BLAS[,SPLIT] with positive counts, got '" + s + "'");
    }

    /** Smallest batch a convolutional model splits over threads (below it, one thread was faster). */
    public static final int SPLIT_MIN_BATCH = 32;

    /** Fewest samples per thread of a split batch. */
    static final int SPLIT_MIN_PART = 16;

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
        String forced = dev.jtorch.Property.THREAD_PLAN.raw();
        if (forced != null) {
            return parse(forced);
        }
        if (cores == 1) {
            return new ThreadPlan(1, 1, 1, "one core");
        }
        if (arch != Architecture.MLP) {
            if (batchSize < SPLIT_MIN_BATCH) {
                return new ThreadPlan(1, 1, 1, "convolutional model at batch " + batchSize + " < " + SPLIT_MIN_BATCH
                        + ": too small to split");
            }
            int parts = (int) Math.min(cores, batchSize / SPLIT_MIN_PART);
            return new ThreadPlan(1, 1, parts, "convolutional model: each batch split over " + parts
                    + " threads of one libtorch thread each");
        }
        if (batchSize >= BLAS_MIN_BATCH) {
            return new ThreadPlan(1, cores, 1, "dense model at batch " + batchSize + ": OpenBLAS splits the products");
        }
        return new ThreadPlan(1, 1, 1, "dense model at batch " + batchSize
                + " < " + BLAS_MIN_BATCH + ": too small to split; the other cores feed the data");
    }

    /**
     * The plan for serving with {@code workers} worker threads per model on {@code cores} cores:
     * each worker's forwards get {@code cores / workers} intra-op threads (at least one), so the
     * workers and libtorch's pool share the cores instead of both spinning on all of them.
     * OpenBLAS stays at one thread, as always beside libtorch's pool.
     *
     * @throws IllegalArgumentException if {@code workers} or {@code cores} is below 1
     */
    public static ThreadPlan forServing(int workers, int cores) {
        if (cores < 1 || workers < 1) {
            throw new IllegalArgumentException("cores and workers must be >= 1, got " + cores + ", " + workers);
        }
        String forced = dev.jtorch.Property.THREAD_PLAN.raw();
        if (forced != null) {
            return parse(forced);
        }
        int intra = Math.max(1, cores / workers);
        return new ThreadPlan(intra, 1, 1, workers + " worker(s) on " + cores + " core(s)"
                + (workers > cores ? ": more workers than cores, each on one thread" : ""));
    }

    /** Applies the plan to this process (libtorch first, since it resets OpenBLAS to one thread). */
    public void apply() {
        Torch.setNumThreads(intraOp);
        if (blas > 1) {
            Torch.setBlasThreads(blas);
        }
    }
}
