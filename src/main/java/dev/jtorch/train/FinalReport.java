package dev.jtorch.train;

import dev.jtorch.DType;
import dev.jtorch.Device;
import dev.jtorch.autograd.NoGrad;
import dev.jtorch.data.Batch;
import dev.jtorch.data.DataLoader;
import dev.jtorch.data.Dataset;
import dev.jtorch.io.AtomicFiles;
import dev.jtorch.io.StateDicts;
import dev.jtorch.metrics.EvalReport;
import dev.jtorch.metrics.Evaluator;
import dev.jtorch.metrics.Metrics;
import dev.jtorch.nn.Module;
import dev.jtorch.nn.functional.F;
import dev.jtorch.nn.functional.Reduction;
import dev.jtorch.tensor.Tensor;
import dev.jtorch.tensor.TensorScope;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Evaluation in a {@code jtorch train} run: the test loss and accuracy after each epoch (split
 * between the ranks of a distributed run), and at the end {@code model.pt}, {@code eval.json}
 * (calibrated on the held-out samples when there are any) and the pictures of {@link Plots}.
 * The logits come from {@code forward}: the run's precision and batch split.
 */
final class FinalReport {
    private FinalReport() {}

    /** Mean cross-entropy and accuracy of {@code model} (in eval mode) over a loader's batches. */
    static Fit.Figures evaluate(Module model, DataLoader loader, UnaryOperator<Tensor> forward) {
        model.eval();
        double lossSum = 0;
        long correct = 0;
        long seen = 0;
        long t0 = System.nanoTime();
        try (NoGrad g = NoGrad.enter(); DataLoader.BatchIterator it = loader.epoch(0).iterator()) {
            while (it.hasNext()) {
                try (TensorScope s = TensorScope.open()) {
                    Batch b = it.next();
                    Tensor logits = forward.apply(b.images());
                    lossSum += F.crossEntropy(logits, b.labels(), Reduction.SUM).item();
                    correct += logits.argmax(1).eq(b.labels()).sum().itemLong();
                    seen += b.size();
                }
            }
        }
        return new Fit.Figures(lossSum / seen, (double) correct / seen, seen, (System.nanoTime() - t0) / 1e9);
    }

    /** Mean cross-entropy and accuracy over the test set, each rank evaluating its own part. */
    static Fit.Figures evaluate(Module model, DataLoader shard, DistributedRun dist, UnaryOperator<Tensor> forward) {
        long t0 = System.nanoTime();
        double seen = shard.dataset().size();
        Fit.Figures local = seen == 0 ? null : evaluate(model, shard, forward);
        double[] sums = local == null ? dist.sum(0, 0, seen)
                : dist.sum(local.loss() * seen, local.accuracy() * seen, seen);
        return new Fit.Figures(sums[0] / sums[2], sums[1] / sums[2], Math.round(sums[2]),
                (System.nanoTime() - t0) / 1e9);
    }

    /** Rank r's contiguous part of the test set (parts differ by at most one sample; none padded). */
    static Dataset testShard(Dataset test, DistributedRun dist) {
        long n = test.size();
        return test.slice((int) (n * dist.rank() / dist.worldSize()), (int) (n * (dist.rank() + 1) / dist.worldSize()));
    }

    /**
     * Writes the files of a completed run into {@code out}: {@code model.pt}, {@code eval.json},
     * the curves of {@code metrics.jsonl} and the confusion and reliability pictures.
     *
     * @return the final report on the test split
     */
    static EvalReport write(Module model, DataLoader testLoader, Dataset val, Device device, List<String> labels,
                            Path out, UnaryOperator<Tensor> forward) throws IOException {
        try (TensorScope s = TensorScope.open()) {
            StateDicts.save(model.stateDict(), out.resolve("model.pt"));
        }
        EvalReport report = report(model, testLoader, val, device, labels, out, forward);
        AtomicFiles.write(out.resolve("eval.json"), report.toPrettyJson().getBytes(StandardCharsets.UTF_8));
        Plots.curves(MetricsFile.readHistory(MetricsFile.of(out)), out);
        Plots.confusionMatrix(report.confusionMatrix(), labels, out);
        return report;
    }

    /** The final report on the test split, calibrated on {@code val} when given, plus the reliability picture. */
    private static EvalReport report(Module model, DataLoader testLoader, Dataset val, Device device,
                                     List<String> labels, Path out, UnaryOperator<Tensor> forward) throws IOException {
        model.eval();
        Evaluator evaluator;
        if (val != null) {
            try (DataLoader valLoader = DataLoader.builder(val).batchSize(testLoader.batchSize()).device(device).build();
                 TensorScope s = TensorScope.open(); NoGrad g = NoGrad.enter()) {
                List<Tensor> logits = new ArrayList<>();
                List<Tensor> targets = new ArrayList<>();
                try (DataLoader.BatchIterator it = valLoader.epoch(0).iterator()) {
                    while (it.hasNext()) {
                        Batch b = it.next();
                        logits.add(forward.apply(b.images()));
                        targets.add(b.labels());
                    }
                }
                evaluator = Evaluator.calibrated(labels, Tensor.cat(logits, 0), Tensor.cat(targets, 0));
            }
        } else {
            evaluator = new Evaluator(labels);
        }
        int bins = Metrics.ECE_BINS;
        double[] confSum = new double[bins];
        long[] hits = new long[bins];
        long[] counts = new long[bins];
        try (evaluator; NoGrad g = NoGrad.enter(); DataLoader.BatchIterator it = testLoader.epoch(0).iterator()) {
            while (it.hasNext()) {
                try (TensorScope s = TensorScope.open()) {
                    Batch b = it.next();
                    Tensor logits = forward.apply(b.images());
                    evaluator.update(logits, b.labels());
                    Tensor.ValuesIndices top = F.softmax(logits.to(DType.FLOAT64), 1).max(1, false);
                    double[] conf = top.values().toDoubleArray();
                    boolean[] right = top.indices().eq(b.labels()).toBooleanArray();
                    for (int i = 0; i < conf.length; i++) {
                        int bin = Metrics.eceBin(conf[i]);
                        confSum[bin] += conf[i];
                        hits[bin] += right[i] ? 1 : 0;
                        counts[bin]++;
                    }
                }
            }
            double[] meanConf = new double[bins];
            double[] acc = new double[bins];
            for (int i = 0; i < bins; i++) {
                meanConf[i] = counts[i] == 0 ? Double.NaN : confSum[i] / counts[i];
                acc[i] = counts[i] == 0 ? Double.NaN : (double) hits[i] / counts[i];
            }
            Plots.reliability(meanConf, acc, out);
            return evaluator.report();
        }
    }
}
