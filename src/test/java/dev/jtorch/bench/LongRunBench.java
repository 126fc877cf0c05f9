package dev.jtorch.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import dev.jtorch.Torch;
import dev.jtorch.data.DataLoader;
import dev.jtorch.data.DataSets;
import dev.jtorch.data.Dataset;
import dev.jtorch.data.Split;
import dev.jtorch.models.SimpleNN;
import dev.jtorch.nn.functional.F;
import dev.jtorch.optim.SGD;
import dev.jtorch.optim.SGDOptions;
import dev.jtorch.tensor.Tensor;

/**
 * Long-run memory check: SimpleNN training at batch 64 (SGD lr 0.01, momentum 0.9) through the library's own
 * {@code DataLoader} (shuffled, prefetching: the CLI's training path), looping over Fashion-MNIST for a given
 * number of steps, sampling the process's resident set ({@code VmRSS}) every {@code --sample-every} steps.
 *
 * <p>It reports the RSS at the end of the warm-up ({@code --warmup} steps, default 10% of the run but at least
 * 10,000), the largest RSS after it, the RSS at the end, the JVM's committed heap and non-heap (metaspace, code
 * cache) at those points, so that Java growth can be told apart from native growth, and {@code
 * Torch.liveHandles()} at the end of every epoch. {@code scripts/bench --long} runs it with a fixed, pre-touched
 * heap ({@code -Xms=-Xmx, -XX:+AlwaysPreTouch}): the heap's pages are resident from the start, so RSS growth is
 * native memory or JVM non-heap. The target: RSS after warm-up stays within 5% until the end.
 *
 * <p>Usage: {@code java ... dev.jtorch.bench.LongRunBench [--steps N] [--sample-every K] [--warmup W]
 * [--threads T] [--batch-size B] [--data DIR]}. Progress on stderr; one JSON line on stdout.
 */
public final class LongRunBench {
    private LongRunBench() {}

    static long vmKb(String key) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status")))
            if (line.startsWith(key + ":")) return Long.parseLong(line.substring(key.length() + 1).trim().split("\\s+")[0]);
        return -1;
    }

    /** Mutable loop state shared with the per-batch lambda. */
    static final class State {
        long step;
        final List<long[]> samples = new ArrayList<>(); // {step, rssKb, heapCommittedKb, nanoTime, nonHeapKb}
        double lastLoss;
    }

    public static void main(String[] args) throws Exception {
        long steps = 1_000_000, every = 10_000, warmup = -1;
        int threads = 1, batch = 64;
        String data = "/usr/share/datasets/fashion-mnist";
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--steps" -> steps = Long.parseLong(args[++i]);
                case "--sample-every" -> every = Long.parseLong(args[++i]);
                case "--warmup" -> warmup = Long.parseLong(args[++i]);
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                case "--batch-size" -> batch = Integer.parseInt(args[++i]);
                case "--data" -> data = args[++i];
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        if (warmup < 0) warmup = Math.max(10_000, steps / 10);
        if (warmup >= steps) throw new IllegalArgumentException("--warmup " + warmup + " must be below --steps " + steps);
        every = Math.max(1, Math.min(every, Math.max(1, (steps - warmup) / 10)));
        Torch.setNumThreads(threads);
        Torch.manualSeed(42);

        Dataset train = DataSets.load(Path.of(data), Split.TRAIN);
        State st = new State();
        MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
        List<Long> handles = new ArrayList<>();
        long t0 = System.nanoTime(), warmT = 0, warmStep = 0;
        long warmRss = -1, warmHeap = -1;
        try (SimpleNN model = new SimpleNN();
             SGD opt = new SGD(model.parameters(), SGDOptions.lr(0.01).withMomentum(0.9));
             DataLoader loader = DataLoader.builder(train).batchSize(batch).shuffle(true).seed(42).build()) {
            model.train();
            final long total = steps, sampleEvery = every, warm = warmup;
            for (int epoch = 1; st.step < total; epoch++) {
                loader.forEachBatch(epoch, b -> {
                    if (st.step >= total) return; // the rest of this epoch's batches are skipped
                    opt.zeroGrad(false);
                    Tensor loss = F.crossEntropy(model.forward(b.images()), b.labels());
                    loss.backward();
                    opt.step();
                    st.step++;
                    if (st.step % sampleEvery == 0 || st.step == warm || st.step == total) {
                        st.lastLoss = loss.item();
                        try {
                            st.samples.add(new long[] {st.step, vmKb("VmRSS"), mem.getHeapMemoryUsage().getCommitted() / 1024,
                                    System.nanoTime(), mem.getNonHeapMemoryUsage().getCommitted() / 1024});
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                        if (st.step % (sampleEvery * 10) == 0 || st.step == total)
                            System.err.printf(Locale.ROOT, "[long] step %,d of %,d: RSS %.1f MB, loss %.4f%n",
                                    st.step, total, st.samples.get(st.samples.size() - 1)[1] / 1024.0, st.lastLoss);
                    }
                });
                handles.add(Torch.liveHandles());
            }
        }
        long t1 = System.nanoTime();
        long maxAfter = 0, endRss = -1, endHeap = -1, maxHeapAfter = 0, warmNonHeap = -1, endNonHeap = -1;
        StringBuilder series = new StringBuilder();
        for (long[] s : st.samples) {
            if (s[0] == warmup) {
                warmRss = s[1];
                warmHeap = s[2];
                warmT = s[3];
                warmNonHeap = s[4];
                warmStep = s[0];
            }
            if (s[0] >= warmup) {
                maxAfter = Math.max(maxAfter, s[1]);
                maxHeapAfter = Math.max(maxHeapAfter, s[2]);
            }
            endRss = s[1];
            endHeap = s[2];
            endNonHeap = s[4];
            if (series.length() > 0) series.append(", ");
            series.append(String.format(Locale.ROOT, "[%d, %.1f]", s[0], s[1] / 1024.0));
        }
        double growthEnd = 100.0 * (endRss - warmRss) / warmRss, growthMax = 100.0 * (maxAfter - warmRss) / warmRss;
        double sps = (st.step - warmStep) / ((t1 - warmT) / 1e9);
        System.out.printf(Locale.ROOT,
                "{\"bench\": \"long-run\", \"steps\": %d, \"batch_size\": %d, \"threads\": %d, \"warmup_steps\": %d, "
                        + "\"sample_every\": %d, \"steps_per_second_after_warmup\": %.1f, \"total_s\": %.1f, "
                        + "\"rss_warm_mb\": %.1f, \"rss_end_mb\": %.1f, \"rss_max_after_warm_mb\": %.1f, "
                        + "\"rss_growth_end_pct\": %.2f, \"rss_growth_max_pct\": %.2f, "
                        + "\"heap_committed_warm_mb\": %.1f, \"heap_committed_end_mb\": %.1f, \"heap_committed_max_mb\": %.1f, "
                        + "\"nonheap_committed_warm_mb\": %.1f, \"nonheap_committed_end_mb\": %.1f, "
                        + "\"live_handles_epoch_first\": %d, \"live_handles_epoch_last\": %d, \"epochs\": %d, "
                        + "\"final_loss\": %.4f, \"peak_rss_mb\": %.1f, \"rss_series_mb\": [%s]}%n",
                st.step, batch, threads, warmup, every, sps, (t1 - t0) / 1e9, warmRss / 1024.0, endRss / 1024.0,
                maxAfter / 1024.0, growthEnd, growthMax, warmHeap / 1024.0, endHeap / 1024.0, maxHeapAfter / 1024.0,
                warmNonHeap / 1024.0, endNonHeap / 1024.0,
                handles.get(0), handles.get(handles.size() - 1), handles.size(), st.lastLoss, vmKb("VmHWM") / 1024.0,
                series);
    }
}
