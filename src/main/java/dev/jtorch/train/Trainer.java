package dev.jtorch.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jtorch.DType;
import dev.jtorch.Device;
import dev.jtorch.Torch;
import dev.jtorch.amp.GradScaler;
import dev.jtorch.autograd.NoGrad;
import dev.jtorch.cuda.Cuda;
import dev.jtorch.data.Batch;
import dev.jtorch.data.DataException;
import dev.jtorch.data.DataLoader;
import dev.jtorch.data.DataSets;
import dev.jtorch.data.Dataset;
import dev.jtorch.data.Split;
import dev.jtorch.distributed.ProcessGroup;
import dev.jtorch.io.AtomicFiles;
import dev.jtorch.io.Checkpoint;
import dev.jtorch.io.StateDicts;
import dev.jtorch.metrics.EvalReport;
import dev.jtorch.metrics.Evaluator;
import dev.jtorch.models.Architecture;
import dev.jtorch.nn.Module;
import dev.jtorch.nn.functional.F;
import dev.jtorch.nn.functional.Reduction;
import dev.jtorch.optim.Adam;
import dev.jtorch.optim.AdamW;
import dev.jtorch.optim.AdamWOptions;
import dev.jtorch.optim.CosineAnnealingLR;
import dev.jtorch.optim.LRScheduler;
import dev.jtorch.optim.Optimizer;
import dev.jtorch.optim.SGD;
import dev.jtorch.optim.SGDOptions;
import dev.jtorch.optim.SchedulerState;
import dev.jtorch.optim.StepLR;
import dev.jtorch.tensor.Shape;
import dev.jtorch.tensor.Tensor;
import dev.jtorch.tensor.TensorScope;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A complete training run as {@code jtorch train} performs it: data, model, optimizer, the epoch
 * loop, evaluation, and the files in the output folder.
 *
 * <p>Files (each written to a temp file and renamed): {@code metrics.jsonl} (one
 * {@link EpochMetrics} per epoch, appended when resuming), {@code checkpoint.pt} (after every epoch
 * and on interruption), {@code model.pt} (a plain state dict Python's {@code torch.load} reads),
 * {@code eval.json} (the final {@link EvalReport}) and the pictures of {@link Plots}.
 *
 * <p>Determinism: the model is initialised after {@code Torch.manualSeed(seed)}; the batch order
 * of epoch e is {@link DataLoader#permutation(int)}, a function of (seed, e) alone; a checkpoint
 * records the model, the optimizer state, the schedule and, after an interruption, the step within
 * the epoch and the epoch's running sums. So a resumed run computes the same numbers as an
 * uninterrupted one (on CPU with one thread, or with the same batch split, {@link ThreadPlan#split()};
 * timings aside).
 */
public final class Trainer {
    private static final Logger LOG = LoggerFactory.getLogger(Trainer.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Evaluation batch on CUDA, where larger batches amortise kernel launches and the caching allocator keeps memory. */
    private static final int CUDA_EVAL_BATCH = 1000;

    private Trainer() {}

    /** Progress callbacks; the CLI draws its progress bar from them. All methods are optional. */
    public interface Listener {
        /** Before the first epoch. */
        default void start(Architecture model, Dataset train, Dataset test, int firstEpoch, int epochs, int stepsPerEpoch) {}

        /**
         * After each training step; the running loss and accuracy are refreshed every 50 steps
         * and at the end of the epoch (reading them from a CUDA device would wait for it).
         */
        default void step(int epoch, int step, int steps, double meanLoss, double accuracy, double samplesPerSecond) {}

        /** After each epoch's evaluation. */
        default void epochEnd(EpochMetrics metrics) {}
    }

    /**
     * What a run produced.
     *
     * @param out the output folder
     * @param architecture the model trained
     * @param epochs the epochs run in this invocation
     * @param report the final evaluation on the test split, or null if the run was interrupted
     * @param interrupted whether {@code stop} ended the run early (a checkpoint was saved)
     */
    public record Result(Path out, Architecture architecture, List<EpochMetrics> epochs, EvalReport report,
                         boolean interrupted) {}

    /** The data set of {@code cfg}: its folder, or Fashion-MNIST from the default places. */
    public static Path dataDir(Path data) {
        if (data != null) {
            return data;
        }
        return DataSets.locateFashionMnist().orElseThrow(() -> new DataException(DataSets.SYSTEM_FASHION_MNIST,
                "Fashion-MNIST not found here nor in " + DataSets.fashionMnistCacheDir()
                        + "; run scripts/fetch-data or pass --data DIR"));
    }

    /** Checks that the data set's images fit the architecture. */
    static void checkFits(Architecture arch, Dataset d) {
        if (d.channels() != arch.channels() || d.height() != arch.height() || d.width() != arch.width()) {
            throw new IllegalArgumentException("model " + arch + " expects " + arch.channels() + "x" + arch.height()
                    + "x" + arch.width() + " images, but " + d.source() + " holds " + d.channels() + "x" + d.height()
                    + "x" + d.width() + " images");
        }
    }

    /** Resolves {@code auto} devices and refuses CUDA where there is none. */
    static Device checkDevice(Device d) {
        return Cuda.requireAvailable(d);
    }

    /**
     * Runs training as configured.
     *
     * @param listener progress callbacks (may be a no-op)
     * @param stop polled after every step; when it turns true the run finishes the step, saves a
     *     checkpoint and returns with {@code interrupted = true}
     * @throws DataException naming the file if the data is missing or malformed
     * @throws IllegalArgumentException if the configuration does not fit the data or the checkpoint
     * @throws IOException if an output file cannot be written
     */
    public static Result run(TrainConfig cfg, Listener listener, BooleanSupplier stop) throws IOException {
        return run(cfg, listener, stop, null);
    }

    /**
     * Runs training as one rank of a data-parallel run over {@code group} (or alone when it is
     * null), as PyTorch's {@code DistributedDataParallel} with a {@code DistributedSampler}.
     *
     * <p>Every rank builds the model from the same seed and then takes rank 0's weights; each
     * epoch, rank r trains on its shard of the (seed, epoch) permutation
     * ({@link DataLoader#indices(int)}) with {@code cfg.batchSize()} samples per step, and the
     * gradients are averaged across ranks after every backward. So W ranks with batch B follow
     * the same path as one process with batch W*B when the training set divides by W*B (up to float
     * rounding). {@code cfg.limit()} counts the whole data set. Train and test metrics are summed
     * over the ranks (the test set is split between them); rank 0 alone writes files, logs and
     * makes the final report ({@link Result#report()} is null on the other ranks). A stop request
     * on any rank stops all of them at the same step. A resumed run reads {@code cfg.resume()} on
     * every rank; resuming mid-epoch needs the world size the checkpoint was written with.
     *
     * @param group the process group of this run's ranks, or null for a single-process run
     * @throws dev.jtorch.distributed.DistributedException if a peer dies or times out
     */
    public static Result run(TrainConfig cfg, Listener listener, BooleanSupplier stop, ProcessGroup group)
            throws IOException {
        // an outer scope owns the resumed checkpoint's tensors; every step nests its own scope
        try (TensorScope runScope = TensorScope.open();
             DistributedRun dist = group == null ? null : new DistributedRun(group, cfg.device())) {
            return runInScope(cfg, listener, stop, dist);
        }
    }

    private static Result runInScope(TrainConfig cfg, Listener listener, BooleanSupplier stop, DistributedRun dist)
            throws IOException {
        boolean writer = dist == null || dist.writer();
        Device device = checkDevice(cfg.device());
        Precision amp = Precision.of(cfg.amp(), device);
        Checkpoint resume = cfg.resume() == null ? null : Checkpoint.load(cfg.resume());
        Architecture arch = architecture(cfg, resume);
        ThreadPlan threads = ThreadPlan.forTraining(arch, cfg.batchSize(), cfg.threads());
        if (device.isCuda() && threads.split() > 1) {
            // one CUDA stream does the work; parts on host threads would only contend for it
            threads = new ThreadPlan(threads.intraOp(), threads.blas(), 1, "CUDA: the batch is not split");
        }
        threads.apply();
        LOG.info("{} core(s): libtorch {} thread(s), OpenBLAS {}, batch split over {} ({})", cfg.threads(),
                threads.intraOp(), threads.blas(), threads.split(), threads.why());
        Path dir = dataDir(cfg.data());
        Dataset train = DataSets.load(dir, Split.TRAIN);
        Dataset test = DataSets.load(dir, Split.TEST);
        checkFits(arch, train);
        checkFits(arch, test);
        if (cfg.limit() > 0 && cfg.limit() < train.size()) {
            train = train.head((int) cfg.limit());
        }
        Dataset val = null;
        if (cfg.val() > 0) {
            if (cfg.val() >= train.size()) {
                throw new IllegalArgumentException("--val " + cfg.val() + " leaves no training data (" + train.size()
                        + " samples after --limit)");
            }
            int n = train.size();
            val = train.slice(n - (int) cfg.val(), n);
            train = train.slice(0, n - (int) cfg.val());
        }
        Path metricsFile = cfg.out().resolve("metrics.jsonl");
        if (writer) {
            Files.createDirectories(cfg.out());
            if (resume == null) {
                Files.deleteIfExists(metricsFile);
            }
        }
        if (resume == null) {
            Torch.manualSeed(cfg.seed());
        }
        long seed = resume == null ? cfg.seed() : resume.seed();
        int evalBatch = evalBatch(cfg.batchSize(), device);
        try (Module model = arch.create();
             DataLoader loader = DataLoader.builder(train).batchSize(cfg.batchSize()).shuffle(true).seed(seed)
                     .device(device).prefetch(2).deviceResident(resident(train))
                     .shard(dist == null ? 0 : dist.rank(), dist == null ? 1 : dist.worldSize())
                     .build();
             DataLoader testLoader = DataLoader.builder(test).batchSize(evalBatch).device(device)
                     .deviceResident(resident(test)).build();
             DataLoader evalLoader = dist == null ? null : DataLoader.builder(testShard(test, dist)).batchSize(evalBatch)
                     .device(device).deviceResident(resident(test)).build()) {
            if (!device.equals(Device.CPU)) {
                model.to(device);
            }
            try (Optimizer opt = optimizer(cfg, model); GradScaler scaler = amp.scaler();
                 SplitStep split = threads.split() > 1 ? new SplitStep(model, threads.split()) : null) {
                LRScheduler schedule = schedule(cfg, opt);
                // evaluation's forward passes, split over the same threads as training's
                UnaryOperator<Tensor> forward = split == null ? x -> amp.forward(model, x) : x -> split.forward(x, amp);
                int firstEpoch = 1;
                int skipSteps = 0;
                Partial partial = new Partial();
                if (resume != null) {
                    resume.restore(model, opt);
                    firstEpoch = (int) resume.epoch() + 1;
                    restoreExtra(resume.extra(), schedule, partial);
                    restoreScaler(resume.extra(), scaler);
                    skipSteps = partial.steps;
                    LOG.info("resuming {} from {} at epoch {}{}", arch, cfg.resume(), firstEpoch,
                            skipSteps > 0 ? " step " + skipSteps : "");
                }
                if (dist != null) {
                    checkResumeWorld(resume, partial, dist);
                    dist.start(model);
                    if (!dist.writer()) {
                        // the checkpoint's partial sums are already global: rank 0 alone carries them
                        partial.seen = 0;
                        partial.correct = 0;
                        partial.lossSum = 0;
                    }
                }
                listener.start(arch, train, test, firstEpoch, cfg.epochs(), loader.numBatches());
                List<EpochMetrics> done = new ArrayList<>();
                for (int epoch = firstEpoch; epoch <= cfg.epochs(); epoch++) {
                    boolean interrupted = trainEpoch(model, opt, loader, epoch, skipSteps, partial, listener, stop, amp,
                            scaler, split, dist);
                    skipSteps = 0;
                    boolean stopAll = dist != null && reduceEpoch(dist, partial, stop);
                    if (interrupted) {
                        if (writer) {
                            saveCheckpoint(cfg.out(), arch, train.classNames(), epoch - 1, seed, model, opt, schedule,
                                    partial, scaler, dist);
                            LOG.info("interrupted in epoch {} after step {}: checkpoint saved in {}", epoch,
                                    partial.steps, cfg.out().resolve("checkpoint.pt"));
                        }
                        return new Result(cfg.out(), arch, done, null, true);
                    }
                    double[] testLossAcc = dist == null ? evaluate(model, testLoader, forward)
                            : evaluate(model, evalLoader, dist, forward);
                    EpochMetrics m = new EpochMetrics(epoch, partial.lossSum / partial.seen,
                            (double) partial.correct / partial.seen, testLossAcc[0], testLossAcc[1], opt.lr(),
                            partial.seen / partial.seconds, partial.seconds);
                    if (writer) {
                        appendLine(metricsFile, JSON.writeValueAsString(m));
                    }
                    done.add(m);
                    partial = new Partial();
                    if (schedule != null) {
                        schedule.step();
                    }
                    if (writer) {
                        saveCheckpoint(cfg.out(), arch, train.classNames(), epoch, seed, model, opt, schedule, partial,
                                scaler, dist);
                    }
                    listener.epochEnd(m);
                    if (writer) {
                        LOG.info("epoch {}/{}: train loss {} acc {}, test loss {} acc {}, {} samples/s", epoch,
                                cfg.epochs(), fmt(m.trainLoss()), fmt(m.trainAccuracy()), fmt(m.testLoss()),
                                fmt(m.testAccuracy()), Math.round(m.samplesPerSecond()));
                    }
                    if ((dist == null ? stop.getAsBoolean() : stopAll) && epoch < cfg.epochs()) {
                        LOG.info("interrupted after epoch {}: checkpoint saved in {}", epoch, cfg.out().resolve("checkpoint.pt"));
                        return new Result(cfg.out(), arch, done, null, true);
                    }
                }
                if (!writer) {
                    return new Result(cfg.out(), arch, done, null, false);
                }
                try (TensorScope s = TensorScope.open()) {
                    StateDicts.save(model.stateDict(), cfg.out().resolve("model.pt"));
                }
                EvalReport report = finalReport(model, testLoader, val, device, test.classNames(), cfg.out(), forward);
                AtomicFiles.write(cfg.out().resolve("eval.json"), report.toPrettyJson().getBytes(StandardCharsets.UTF_8));
                Plots.curves(readHistory(metricsFile), cfg.out());
                Plots.confusionMatrix(report.confusionMatrix(), test.classNames(), cfg.out());
                return new Result(cfg.out(), arch, done, report, false);
            }
        }
    }

    private static Architecture architecture(TrainConfig cfg, Checkpoint resume) {
        if (resume == null) {
            return cfg.model() == null ? Architecture.MLP : cfg.model();
        }
        Architecture recorded = Architecture.of(resume.architecture());
        if (cfg.model() != null && cfg.model() != recorded) {
            throw new IllegalArgumentException("--model " + cfg.model() + " contradicts " + cfg.resume()
                    + ", which holds a " + recorded + " model");
        }
        return recorded;
    }

    private static Optimizer optimizer(TrainConfig cfg, Module model) {
        switch (cfg.optimizer()) {
            case "sgd":
                return new SGD(model.parameters(), SGDOptions.lr(cfg.lr()).withMomentum(cfg.momentum()));
            case "adamw":
                return new AdamW(model.parameters(), AdamWOptions.lr(cfg.lr()));
            default:
                return new Adam(model.parameters(), cfg.lr());
        }
    }

    private static LRScheduler schedule(TrainConfig cfg, Optimizer opt) {
        switch (cfg.schedule()) {
            case "cosine":
                return new CosineAnnealingLR(opt, cfg.epochs());
            case "step":
                return new StepLR(opt, Math.max(1, cfg.epochs() / 3), 0.1);
            case "exp":
                // PyTorch's ExponentialLR(gamma=0.5): independent of --epochs, so runs extend with --resume
                return new StepLR(opt, 1, 0.5);
            default:
                return null;
        }
    }

    /** Largest data set (uint8 pixels) the trainer keeps resident on the training device. */
    static final long RESIDENT_MAX_BYTES = 1L << 30;

    /**
     * Whether {@code d} is kept on the device and gathered there: every data set up to
     * {@link #RESIDENT_MAX_BYTES} of pixels. On the CPU too, because a gather plus two ops in
     * libtorch cost about half of the Java look-up and copy of the host path (docs/benchmarks.md);
     * the batches are bit-identical either way.
     */
    static boolean resident(Dataset d) {
        return (long) d.size() * d.channels() * d.height() * d.width() <= RESIDENT_MAX_BYTES;
    }

    /** Running sums of the epoch in progress (saved with an interrupted run's checkpoint). */
    private static final class Partial {
        int steps;
        long seen;
        long correct;
        double lossSum;
        double seconds;
    }

    /** Steps between reads of the running loss/accuracy sums kept on the device (each read syncs). */
    private static final int SYNC_EVERY = 50;

    private static boolean trainEpoch(Module model, Optimizer opt, DataLoader loader, int epoch, int skip,
                                      Partial p, Listener listener, BooleanSupplier stop, Precision amp,
                                      GradScaler scaler, SplitStep split, DistributedRun dist) {
        model.train();
        int steps = loader.numBatches();
        try (DataLoader.BatchIterator it = loader.epoch(epoch).iterator(); TensorScope epochScope = TensorScope.open()) {
            for (int k = 0; k < skip && it.hasNext(); k++) {
                try (TensorScope s = TensorScope.open()) {
                    it.next(); // already trained on before the interruption
                }
            }
            // The running sums stay on the device and are read every SYNC_EVERY steps, so a CUDA
            // step never waits for the device just to report a number.
            Tensor lossSum = Tensor.zeros(Shape.of(), DType.FLOAT64, loader.device());
            Tensor correct = Tensor.zeros(Shape.of(), DType.INT64, loader.device());
            double lossBase = p.lossSum;
            long correctBase = p.correct;
            long t0 = System.nanoTime();
            while (it.hasNext()) {
                try (TensorScope s = TensorScope.open()) {
                    Batch b = it.next();
                    Tensor loss;
                    Tensor right;
                    opt.zeroGrad();
                    if (split != null) { // CPU only, so never a float16 scaler
                        SplitStep.Outcome o = split.run(b, amp);
                        loss = o.loss();
                        right = o.correct();
                    } else {
                        Tensor logits = amp.forward(model, b.images());
                        loss = F.crossEntropy(logits, b.labels());
                        (scaler != null ? scaler.scale(loss) : loss).backward();
                        right = logits.argmax(1).eq(b.labels()).sum();
                    }
                    if (dist != null) {
                        // the mean (for float16 still scaled) gradient of all ranks; the ranks agree on stopping
                        dist.afterBackward(stop);
                    }
                    if (scaler != null) {
                        scaler.step(opt); // skipped when float16 gradients overflowed
                        scaler.update();
                    } else {
                        opt.step();
                    }
                    lossSum.add_(loss.detach(), b.size());
                    correct.add_(right);
                    p.seen += b.size();
                    p.steps++;
                }
                boolean last = !it.hasNext();
                // distributed: the decision all ranks agreed on in this step's gradient all-reduce
                boolean stopping = dist == null ? stop.getAsBoolean() : dist.stopAgreed();
                if (last || stopping || p.steps % SYNC_EVERY == 0) {
                    p.lossSum = lossBase + lossSum.item();
                    p.correct = correctBase + correct.itemLong();
                }
                long now = System.nanoTime();
                p.seconds += (now - t0) / 1e9;
                t0 = now;
                listener.step(epoch, p.steps, steps, p.lossSum / p.seen, (double) p.correct / p.seen, p.seen / p.seconds);
                if (stopping && p.steps < steps) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Mean cross-entropy and accuracy over the test set, each rank evaluating its own part. */
    private static double[] evaluate(Module model, DataLoader shard, DistributedRun dist, UnaryOperator<Tensor> forward) {
        double seen = shard.dataset().size();
        double[] local = seen == 0 ? new double[2] : evaluate(model, shard, forward);
        double[] sums = dist.sum(local[0] * seen, local[1] * seen, seen);
        return new double[] {sums[0] / sums[2], sums[1] / sums[2]};
    }

    /** Rank r's contiguous part of the test set (parts differ by at most one sample; none padded). */
    private static Dataset testShard(Dataset test, DistributedRun dist) {
        long n = test.size();
        return test.slice((int) (n * dist.rank() / dist.worldSize()), (int) (n * (dist.rank() + 1) / dist.worldSize()));
    }

    /**
     * Sums the epoch's running figures over the ranks (seconds: their mean) and tells whether any
     * rank asked to stop; every rank calls it after every epoch, interrupted or not.
     */
    private static boolean reduceEpoch(DistributedRun dist, Partial p, BooleanSupplier stop) {
        double[] s = dist.sum(p.lossSum, p.correct, p.seen, p.seconds, stop.getAsBoolean() ? 1 : 0);
        p.lossSum = s[0];
        p.correct = Math.round(s[1]);
        p.seen = Math.round(s[2]);
        p.seconds = s[3] / dist.worldSize();
        return s[4] > 0;
    }

    private static void checkResumeWorld(Checkpoint resume, Partial partial, DistributedRun dist) {
        if (resume == null || partial.steps == 0) {
            return;
        }
        Object w = resume.extra().get("world_size");
        int recorded = w instanceof Number n ? n.intValue() : 1;
        if (recorded != dist.worldSize()) {
            throw new IllegalArgumentException("the checkpoint was interrupted mid-epoch in a run of " + recorded
                    + " process(es); resume it with the same number, not " + dist.worldSize());
        }
    }

    /**
     * Batch size for evaluation: the training batch on the CPU, at least 1000 on CUDA.
     *
     * <p>On the CPU, bigger batches only cost: they were no faster than the training batch even with
     * one malloc arena, and far slower with per-thread arenas (activations over 32 MiB are then
     * mapped and faulted in afresh per batch; docs/design.md, "glibc malloc tuned for tensors").
     * The training batch is known to fit.
     */
    static int evalBatch(int trainBatch, Device device) {
        return device.isCuda() ? Math.max(trainBatch, CUDA_EVAL_BATCH) : trainBatch;
    }

    /**
     * Mean cross-entropy and accuracy of {@code model} (in eval mode) over a loader's batches, the
     * logits computed by {@code forward} (the run's precision and batch split).
     */
    private static double[] evaluate(Module model, DataLoader loader, UnaryOperator<Tensor> forward) {
        model.eval();
        double lossSum = 0;
        long correct = 0;
        long seen = 0;
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
        return new double[] {lossSum / seen, (double) correct / seen};
    }

    /** The final report on the test split, calibrated on {@code val} when given, plus the reliability picture. */
    static EvalReport finalReport(Module model, DataLoader testLoader, Dataset val, Device device, List<String> labels,
                                  Path out, UnaryOperator<Tensor> forward) throws IOException {
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
        int bins = dev.jtorch.metrics.Metrics.ECE_BINS;
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
                        int bin = Math.min(bins - 1, Math.max(0, (int) Math.ceil(conf[i] * bins) - 1));
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

    private static void saveCheckpoint(Path out, Architecture arch, List<String> classes, int completedEpochs, long seed,
                                       Module model, Optimizer opt, LRScheduler schedule, Partial p,
                                       GradScaler scaler, DistributedRun dist) throws IOException {
        Map<String, Object> extra = new LinkedHashMap<>();
        extra.put("classes", classes);
        if (dist != null) {
            extra.put("world_size", dist.worldSize());
        }
        if (schedule != null) {
            SchedulerState st = schedule.state();
            extra.put("schedule", Map.of("name", st.schedule(), "epoch", st.epoch(), "base_lr", st.baseLr()));
        }
        if (scaler != null) {
            extra.put("grad_scaler", scaler.state().toMap());
        }
        if (p.steps > 0) {
            extra.put("partial_epoch", Map.of("steps", p.steps, "seen", p.seen, "correct", p.correct,
                    "loss_sum", p.lossSum, "seconds", p.seconds));
        }
        try (TensorScope s = TensorScope.open()) {
            new Checkpoint(arch.id(), completedEpochs, seed, model.stateDict(), Checkpoint.OptimizerState.of(opt), extra)
                    .save(out.resolve("checkpoint.pt"));
        }
    }

    @SuppressWarnings("unchecked")
    private static void restoreExtra(Map<String, Object> extra, LRScheduler schedule, Partial p) {
        Object sch = extra.get("schedule");
        if (sch instanceof Map<?, ?> m && schedule != null) {
            try {
                schedule.loadState(new SchedulerState((String) m.get("name"), ((Number) m.get("epoch")).intValue(),
                        ((Number) m.get("base_lr")).doubleValue()));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("the checkpoint was trained with " + m.get("name") + ", this run asks"
                        + " for " + schedule + "; a cosine or step schedule depends on --epochs, so a run that will be"
                        + " extended with --resume must use --schedule none or exp", e);
            }
        } else if (sch != null || schedule != null) {
            throw new IllegalArgumentException("the checkpoint's learning-rate schedule ("
                    + (sch == null ? "none" : ((Map<String, Object>) sch).get("name")) + ") differs from --schedule");
        }
        Object part = extra.get("partial_epoch");
        if (part instanceof Map<?, ?> m) {
            p.steps = ((Number) m.get("steps")).intValue();
            p.seen = ((Number) m.get("seen")).longValue();
            p.correct = ((Number) m.get("correct")).longValue();
            p.lossSum = ((Number) m.get("loss_sum")).doubleValue();
            p.seconds = ((Number) m.get("seconds")).doubleValue();
        }
    }

    /** A float16 run continues with the saved loss scale; other runs ignore it. */
    @SuppressWarnings("unchecked")
    private static void restoreScaler(Map<String, Object> extra, GradScaler scaler) {
        if (scaler != null && extra.get("grad_scaler") instanceof Map<?, ?> m) {
            scaler.loadState(GradScaler.State.fromMap((Map<String, ?>) m));
        }
    }

    private static void appendLine(Path file, String line) throws IOException {
        Files.writeString(file, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    /** Every epoch recorded in a {@code metrics.jsonl}, for the curves. */
    static List<Plots.EpochPoint> readHistory(Path metricsFile) throws IOException {
        List<Plots.EpochPoint> points = new ArrayList<>();
        for (String line : Files.readAllLines(metricsFile)) {
            if (line.isBlank()) {
                continue;
            }
            EpochMetrics m = JSON.readValue(line, EpochMetrics.class);
            points.add(new Plots.EpochPoint(m.epoch(), m.trainLoss(), m.trainAccuracy(), m.testLoss(), m.testAccuracy()));
        }
        return points;
    }

    private static String fmt(double v) {
        return String.format(java.util.Locale.ROOT, "%.4f", v);
    }
}
