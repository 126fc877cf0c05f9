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
import dev.jtorch.internal.NativeDenseStep;
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
 * {@link EpochMetrics} per epoch, appended when resuming, after dropping lines the checkpoint does
 * not know of: see {@code reconcileMetrics}), {@code checkpoint.pt} (after every epoch and on
 * interruption, with the last epoch's metrics line), {@code model.pt} (a plain state dict
 * Python's {@code torch.load} reads), {@code eval.json} (the final {@link EvalReport}) and the pictures of {@link Plots}.
 *
 * <p>Determinism: the model is initialised after {@code Torch.manualSeed(seed)}; the batch order
 * of epoch e is {@link DataLoader#permutation(int)}, a function of (seed, e) alone; a checkpoint
 * records the model, the optimizer state, the schedule and, after an interruption, the step within
 * the epoch and the epoch's running sums. So a resumed run computes the same numbers as an
 * uninterrupted one (on CPU with one thread, or with the same batch split, {@link ThreadPlan#split()};
 * timings aside).
 *
 * <p>Divergence: the running training loss is checked where it is read anyway (every 50 steps and
 * at the end of the epoch), the parameters and the test loss once per epoch; a NaN or infinity
 * ends the run with a {@link TrainingDivergedException} before anything of that epoch is written.
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
     * @throws IllegalArgumentException if the configuration does not fit the data or the checkpoint,
     *     {@code cfg.out()} exists and is not a folder, or the resumed run already completed
     *     {@code cfg.epochs()} epochs
     * @throws dev.jtorch.io.ModelFileException naming the file and the key if a field of the
     *     resumed checkpoint has the wrong type or is out of range
     * @throws TrainingDivergedException if the loss or a parameter became NaN or infinite; the files
     *     of the last good epoch are left as they were
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
        checkOut(cfg.out());
        Device device = checkDevice(cfg.device());
        Precision amp = Precision.of(cfg.amp(), device);
        Checkpoint resume = cfg.resume() == null ? null : Checkpoint.load(cfg.resume());
        CheckpointFields fields = resume == null ? null : new CheckpointFields(cfg.resume(), resume);
        int resumedEpochs = 0;
        if (fields != null) {
            resumedEpochs = fields.epoch();
            if (resumedEpochs >= cfg.epochs()) {
                Path runDir = cfg.resume().toAbsolutePath().getParent();
                throw new IllegalArgumentException("the run in " + runDir + " already finished " + resumedEpochs
                        + " epoch(s) (--resume " + cfg.resume() + "), and --epochs " + cfg.epochs()
                        + " asks for no more; pass --epochs N with N > " + resumedEpochs + " to train further");
            }
            fields.checkOptimizer(optimizerKind(cfg.optimizer()), "--optimizer " + cfg.optimizer());
        }
        Architecture arch = architecture(cfg, fields);
        ThreadPlan threads = ThreadPlan.forTraining(arch, cfg.batchSize(), cfg.threads());
        if (device.isCuda() && threads.split() > 1) {
            // one CUDA stream does the work; parts on host threads would only contend for it
            threads = new ThreadPlan(threads.intraOp(), threads.blas(), 1, "CUDA: the batch is not split");
        }
        threads.apply();
        LOG.info("{} core(s): libtorch {} thread(s), OpenBLAS {}, batch split over {} ({})", cfg.threads(),
                threads.intraOp(), threads.blas(), threads.split(), threads.why());
        Path dir = dataDir(cfg.data());
        Dataset train = DataSets.load(dir, Split.TRAIN, arch.channels(), arch.height(), arch.width());
        Dataset test = DataSets.load(dir, Split.TEST, arch.channels(), arch.height(), arch.width());
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
        EpochMetrics lastMetrics = fields == null ? null : recordedMetrics(fields, resumedEpochs);
        if (writer) {
            Files.createDirectories(cfg.out());
            if (resume == null) {
                Files.deleteIfExists(metricsFile);
            } else {
                reconcileMetrics(metricsFile, resumedEpochs, lastMetrics, sameFolder(cfg.resume(), cfg.out()));
            }
        }
        if (resume == null) {
            Torch.manualSeed(cfg.seed());
        }
        long seed = resume == null ? cfg.seed() : resume.seed();
        int evalBatch = evalBatch(cfg.batchSize(), device);
        try (Module model = arch.create(train.numClasses());
             DataLoader loader = DataLoader.builder(train).batchSize(cfg.batchSize()).shuffle(true).seed(seed)
                     .device(device).prefetch(2).deviceResident(resident(train))
                     .shard(dist == null ? 0 : dist.rank(), dist == null ? 1 : dist.worldSize())
                     .build();
             DataLoader testLoader = DataLoader.builder(test).batchSize(evalBatch).device(device)
                     .deviceResident(resident(test)).build();
             DataLoader evalLoader = dist == null ? null : DataLoader.builder(testShard(test, dist)).batchSize(evalBatch)
                     .device(device).deviceResident(resident(test)).build()) {
            if (loader.numBatches() == 0) {
                throw new IllegalArgumentException("no training samples: the training set of " + train.source()
                        + " is empty" + (dist == null ? "" : " or smaller than the " + dist.worldSize() + " ranks"));
            }
            if (!device.equals(Device.CPU)) {
                model.to(device);
            }
            try (Optimizer opt = optimizer(cfg, model); GradScaler scaler = amp.scaler();
                 SplitStep split = threads.split() > 1 ? new SplitStep(model, threads.split()) : null;
                 // the hand-written dense step: CPU float32, one process, no loss scaling
                 DenseStep dense = split == null && scaler == null && amp.dtype() == null && dist == null
                         && device.equals(Device.CPU) ? DenseStep.forModel(model) : null) {
                if (dense != null) {
                    LOG.info("training step: hand-written dense chain (-D{}=false: autograd)", DenseStep.PROPERTY);
                }
                LRScheduler schedule = schedule(cfg, opt);
                // evaluation's forward passes, split over the same threads as training's
                UnaryOperator<Tensor> forward = split == null ? x -> amp.forward(model, x) : x -> split.forward(x, amp);
                int firstEpoch = 1;
                int skipSteps = 0;
                Partial partial = new Partial();
                if (resume != null) {
                    try {
                        resume.restore(model, opt);
                    } catch (IllegalArgumentException e) {
                        throw new IllegalArgumentException(cfg.resume() + ": " + e.getMessage(), e);
                    }
                    firstEpoch = resumedEpochs + 1;
                    restoreExtra(fields, schedule, partial);
                    restoreScaler(fields, scaler);
                    if (partial.steps >= loader.numBatches()) {
                        throw new IllegalArgumentException(cfg.resume() + " was interrupted after step " + partial.steps
                                + " of epoch " + firstEpoch + ", but this run has " + loader.numBatches()
                                + " steps per epoch; resume with the --batch-size, --limit and --val it was started with");
                    }
                    skipSteps = partial.steps;
                    LOG.info("resuming {} from {} at epoch {}{}", arch, cfg.resume(), firstEpoch,
                            skipSteps > 0 ? " step " + skipSteps : "");
                }
                if (dist != null) {
                    checkResumeWorld(fields, partial, dist);
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
                Divergence diverged = new Divergence(cfg.out(), opt);
                // ends at the break below: with --epochs Integer.MAX_VALUE, "epoch <= lastEpoch" would never turn false
                for (int epoch = firstEpoch, lastEpoch = cfg.epochs(); ; epoch++) {
                    boolean interrupted = trainEpoch(model, opt, loader, epoch, skipSteps, partial, listener, stop, amp,
                            scaler, split, dense, dist, diverged);
                    skipSteps = 0;
                    boolean stopAll = dist != null && reduceEpoch(dist, partial, stop);
                    // before anything of this epoch is written: the last good files stay as they are
                    diverged.checkLoss(epoch, partial, "training loss",
                            partial.seen == 0 ? partial.lossSum : partial.lossSum / partial.seen);
                    diverged.checkParameters(epoch, partial, model);
                    if (interrupted) {
                        if (writer) {
                            saveCheckpoint(cfg.out(), arch, train.classNames(), epoch - 1, seed, model, opt, schedule,
                                    partial, scaler, dist, lastMetrics);
                            LOG.info("interrupted in epoch {} after step {}: checkpoint saved in {}", epoch,
                                    partial.steps, cfg.out().resolve("checkpoint.pt"));
                        }
                        return new Result(cfg.out(), arch, done, null, true);
                    }
                    double[] testLossAcc = dist == null ? evaluate(model, testLoader, forward)
                            : evaluate(model, evalLoader, dist, forward);
                    diverged.checkLoss(epoch, partial, "test loss", testLossAcc[0]);
                    EpochMetrics m = new EpochMetrics(epoch, partial.lossSum / partial.seen,
                            (double) partial.correct / partial.seen, testLossAcc[0], testLossAcc[1], opt.lr(),
                            partial.seen / partial.seconds, partial.seconds);
                    if (writer) {
                        appendLine(metricsFile, JSON.writeValueAsString(m));
                    }
                    done.add(m);
                    lastMetrics = m;
                    partial = new Partial();
                    if (schedule != null) {
                        schedule.step();
                    }
                    if (writer) {
                        saveCheckpoint(cfg.out(), arch, train.classNames(), epoch, seed, model, opt, schedule, partial,
                                scaler, dist, m);
                    }
                    listener.epochEnd(m);
                    if (writer) {
                        LOG.info("epoch {}/{}: train loss {} acc {}, test loss {} acc {}, {} samples/s", epoch,
                                cfg.epochs(), fmt(m.trainLoss()), fmt(m.trainAccuracy()), fmt(m.testLoss()),
                                fmt(m.testAccuracy()), Math.round(m.samplesPerSecond()));
                    }
                    if ((dist == null ? stop.getAsBoolean() : stopAll) && epoch < lastEpoch) {
                        LOG.info("interrupted after epoch {}: checkpoint saved in {}", epoch, cfg.out().resolve("checkpoint.pt"));
                        return new Result(cfg.out(), arch, done, null, true);
                    }
                    if (epoch >= lastEpoch) {
                        break;
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

    private static Architecture architecture(TrainConfig cfg, CheckpointFields resume) throws IOException {
        if (resume == null) {
            return cfg.model() == null ? Architecture.MLP : cfg.model();
        }
        Architecture recorded = resume.architecture();
        if (cfg.model() != null && cfg.model() != recorded) {
            throw new IllegalArgumentException("--model " + cfg.model() + " contradicts " + cfg.resume()
                    + ", which holds a " + recorded + " model");
        }
        return recorded;
    }

    /** The kind {@link Checkpoint.OptimizerState#of} records for {@code --optimizer name}. */
    private static String optimizerKind(String name) {
        switch (name) {
            case "sgd":
                return SGD.class.getSimpleName();
            case "adamw":
                return AdamW.class.getSimpleName();
            default:
                return Adam.class.getSimpleName();
        }
    }

    /**
     * Refuses an {@code --out} that exists and is not a folder, before anything is read or
     * trained: creating the folder would fail only after loading the data, with an exception
     * whose message is the bare path.
     */
    private static void checkOut(Path out) {
        if (Files.exists(out) && !Files.isDirectory(out)) {
            throw new IllegalArgumentException("--out " + out + " is " + (Files.isRegularFile(out) ? "an existing file"
                    : "not a folder (a special file)") + "; the run's files go into a folder: name a new or existing"
                    + " folder");
        }
        for (Path p = out.toAbsolutePath().getParent(); p != null; p = p.getParent()) {
            if (Files.exists(p) && !Files.isDirectory(p)) {
                throw new IllegalArgumentException("--out " + out + ": " + p + " is a file, so no folder can be created"
                        + " under it");
            }
        }
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

    /**
     * Stops a run whose loss or parameters are no longer finite, before anything of the epoch is
     * written, so that the files of the last good epoch stay as they are.
     */
    private static final class Divergence {
        private final Path out;
        private final Optimizer opt;

        Divergence(Path out, Optimizer opt) {
            this.out = out;
            this.opt = opt;
        }

        /** Throws if {@code value} (a loss) is NaN or infinite. */
        void checkLoss(int epoch, Partial p, String quantity, double value) {
            if (!Double.isFinite(value)) {
                throw diverged(epoch, p, quantity, value);
            }
        }

        /**
         * Throws if a parameter holds NaN or an infinity: after the last step of an epoch, whose
         * loss was computed before its update. One device sync per call, once per epoch.
         */
        void checkParameters(int epoch, Partial p, Module model) {
            try (TensorScope s = TensorScope.open(); NoGrad g = NoGrad.enter()) {
                Tensor all = null;
                for (Tensor t : model.parameters()) {
                    Tensor f = t.isfinite().all();
                    all = all == null ? f : all.logicalAnd(f);
                }
                if (all == null || all.toBooleanArray()[0]) {
                    return;
                }
                for (Map.Entry<String, Tensor> e : model.namedParameters().entrySet()) {
                    Tensor t = e.getValue();
                    Tensor bad = t.maskedSelect(t.isfinite().logicalNot());
                    if (bad.numel() > 0) {
                        throw diverged(epoch, p, "parameter " + e.getKey(), bad.to(DType.FLOAT64).toDoubleArray()[0]);
                    }
                }
            }
        }

        private TrainingDivergedException diverged(int epoch, Partial p, String quantity, double value) {
            Path ckpt = out.resolve("checkpoint.pt");
            String kept = Files.exists(ckpt) ? "the files in " + out + " were left as they were (" + ckpt
                    + " holds the last good state)" : "no checkpoint was written";
            return new TrainingDivergedException(epoch, p.steps, quantity, value, "the learning rate ("
                    + opt.lr() + ") is probably too high; lower --lr and train again; " + kept);
        }
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
                                      GradScaler scaler, SplitStep split, DenseStep dense, DistributedRun dist,
                                      Divergence diverged) {
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
            // the dense step's figures come back to the host anyway: summed here, not on the device
            double hostLoss = 0;
            long hostCorrect = 0;
            long t0 = System.nanoTime();
            while (it.hasNext()) {
                if (dense != null) {
                    try (TensorScope s = TensorScope.open()) {
                        Batch b = it.next();
                        NativeDenseStep.Outcome o = dense.run(b); // overwrites the gradients: no zeroGrad
                        opt.step();
                        hostLoss += o.meanLoss() * b.size();
                        hostCorrect += o.correct();
                        p.seen += b.size();
                        p.steps++;
                    }
                } else {
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
                }
                boolean last = !it.hasNext();
                // distributed: the decision all ranks agreed on in this step's gradient all-reduce
                boolean stopping = dist == null ? stop.getAsBoolean() : dist.stopAgreed();
                if (last || stopping || p.steps % SYNC_EVERY == 0) {
                    p.lossSum = lossBase + lossSum.item() + hostLoss;
                    p.correct = correctBase + correct.itemLong() + hostCorrect;
                    if (dist == null) {
                        // checked only where the sum is read anyway, so a step never waits for the device
                        // for it; distributed ranks check the sum they agree on, after the epoch
                        diverged.checkLoss(epoch, p, "training loss", p.lossSum / p.seen);
                    }
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

    private static void checkResumeWorld(CheckpointFields resume, Partial partial, DistributedRun dist)
            throws IOException {
        if (resume == null || partial.steps == 0) {
            return;
        }
        int recorded = resume.extraInt("world_size", 1, Integer.MAX_VALUE, 1);
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
                        int bin = dev.jtorch.metrics.Metrics.eceBin(conf[i]);
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

    /**
     * Writes {@code checkpoint.pt}; {@code metrics} (the line of epoch {@code completedEpochs}, or
     * null if unknown) goes into it so that a resume can restore a {@code metrics.jsonl} line lost
     * to a crash between the two writes.
     */
    private static void saveCheckpoint(Path out, Architecture arch, List<String> classes, int completedEpochs, long seed,
                                       Module model, Optimizer opt, LRScheduler schedule, Partial p,
                                       GradScaler scaler, DistributedRun dist, EpochMetrics metrics) throws IOException {
        Map<String, Object> extra = new LinkedHashMap<>();
        extra.put("classes", classes);
        if (metrics != null && metrics.epoch() == completedEpochs) {
            extra.put(EPOCH_METRICS, JSON.convertValue(metrics, Map.class));
        }
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

    private static void restoreExtra(CheckpointFields resume, LRScheduler schedule, Partial p) throws IOException {
        Map<String, Object> sch = resume.object("schedule");
        if (sch != null && schedule != null) {
            String name = resume.text(sch, "extra.schedule", "name");
            int epoch = (int) resume.integer(sch, "extra.schedule", "epoch", 0, Integer.MAX_VALUE);
            double baseLr = resume.finite(sch, "extra.schedule", "base_lr", 0);
            try {
                schedule.loadState(new SchedulerState(name, epoch, baseLr));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(resume.file() + " was trained with " + name + ", this run asks"
                        + " for " + schedule + "; a cosine or step schedule depends on --epochs, so a run that will be"
                        + " extended with --resume must use --schedule none or exp", e);
            }
        } else if (sch != null || schedule != null) {
            throw new IllegalArgumentException("the learning-rate schedule of " + resume.file() + " ("
                    + (sch == null ? "none" : sch.get("name")) + ") differs from --schedule "
                    + (schedule == null ? "none" : schedule));
        }
        Map<String, Object> part = resume.object("partial_epoch");
        if (part != null) {
            String at = "extra.partial_epoch";
            p.steps = (int) resume.integer(part, at, "steps", 1, Integer.MAX_VALUE);
            p.seen = resume.integer(part, at, "seen", 1, Long.MAX_VALUE);
            p.correct = resume.integer(part, at, "correct", 0, p.seen);
            p.lossSum = resume.finite(part, at, "loss_sum", 0);
            p.seconds = resume.finite(part, at, "seconds", 0);
        }
    }

    /** A float16 run continues with the saved loss scale; other runs ignore it. */
    private static void restoreScaler(CheckpointFields resume, GradScaler scaler) throws IOException {
        Map<String, Object> m = scaler == null ? null : resume.object("grad_scaler");
        if (m == null) {
            return;
        }
        // GradScaler.State.fromMap narrows with intValue(): check the ints' ranges first
        resume.integer(m, "extra.grad_scaler", "growth_interval", 1, Integer.MAX_VALUE);
        resume.integer(m, "extra.grad_scaler", "_growth_tracker", 0, Integer.MAX_VALUE);
        try {
            scaler.loadState(GradScaler.State.fromMap(m));
        } catch (IllegalArgumentException e) {
            throw new dev.jtorch.io.ModelFileException(resume.file(), Checkpoint.JSON_ENTRY + ": key \"extra.grad_scaler\": "
                    + e.getMessage(), e);
        }
    }

    /** Key of {@code extra} holding the {@link EpochMetrics} of the checkpoint's last completed epoch. */
    static final String EPOCH_METRICS = "epoch_metrics";

    /**
     * The metrics line of the checkpoint's last completed epoch, or null when the checkpoint has
     * none (written before jtorch recorded it, or after no completed epoch).
     */
    private static EpochMetrics recordedMetrics(CheckpointFields resume, int epochs) throws IOException {
        Map<String, Object> m = resume.object(EPOCH_METRICS);
        if (m == null || epochs == 0) {
            return null;
        }
        String at = "extra." + EPOCH_METRICS;
        int epoch = (int) resume.integer(m, at, "epoch", epochs, epochs);
        return new EpochMetrics(epoch, resume.finite(m, at, "train_loss", 0), resume.finite(m, at, "train_accuracy", 0),
                resume.finite(m, at, "test_loss", 0), resume.finite(m, at, "test_accuracy", 0),
                resume.finite(m, at, "lr", 0), resume.finite(m, at, "samples_per_second", 0),
                resume.finite(m, at, "seconds", 0));
    }

    /** Whether {@code checkpoint} lies in folder {@code out}. */
    private static boolean sameFolder(Path checkpoint, Path out) {
        Path parent = checkpoint.toAbsolutePath().normalize().getParent();
        return parent != null && parent.equals(out.toAbsolutePath().normalize());
    }

    /**
     * Makes {@code metrics.jsonl} agree with a checkpoint of {@code epochs} completed epochs
     * before a resumed run appends to it: a crash between the metrics append and the checkpoint's
     * rename leaves a line the checkpoint does not know (which the resumed run would write again),
     * a crash the other way round lacks the checkpoint's last line, and a crash mid-append leaves
     * a torn last line. So: lines of later epochs and lines that do not parse are dropped, each
     * epoch keeps one line (the last written, or the checkpoint's own record of its last epoch,
     * {@code recorded}), in epoch order; the file is rewritten atomically, and only if that
     * changes it.
     *
     * @param create whether to write the file from {@code recorded} when it does not exist (the
     *     checkpoint's own run folder; a fresh {@code --out} starts without the earlier lines)
     */
    static void reconcileMetrics(Path file, int epochs, EpochMetrics recorded, boolean create) throws IOException {
        boolean exists = Files.exists(file);
        if (!exists && !(create && recorded != null)) {
            return;
        }
        String before = exists ? new String(Files.readAllBytes(file), StandardCharsets.UTF_8) : "";
        java.util.TreeMap<Integer, String> kept = new java.util.TreeMap<>();
        int dropped = 0;
        int lineNo = 0;
        for (String line : before.split("\n", -1)) {
            lineNo++;
            if (line.isBlank()) {
                continue;
            }
            int epoch = epochOf(line);
            if (epoch < 1) {
                // torn by a crash mid-append, or edited by hand: nothing in it can be trusted
                LOG.warn("{}: line {} is not a complete metrics line; dropped", file, lineNo);
                dropped++;
            } else if (epoch > epochs) {
                dropped++;
            } else {
                if (kept.put(epoch, line.strip()) != null) {
                    dropped++;
                }
            }
        }
        if (recorded != null) {
            kept.put(recorded.epoch(), JSON.writeValueAsString(recorded));
        }
        StringBuilder after = new StringBuilder();
        kept.values().forEach(l -> after.append(l).append('\n'));
        if (!after.toString().equals(before)) {
            LOG.info("{}: made consistent with the checkpoint's {} epoch(s) before resuming ({} line(s) dropped)", file,
                    epochs, dropped);
            AtomicFiles.write(file, after.toString().getBytes(StandardCharsets.UTF_8));
        }
    }

    /** The epoch of a metrics line, or 0 if the line is not a JSON object with a positive integer epoch. */
    private static int epochOf(String line) {
        try {
            com.fasterxml.jackson.databind.JsonNode n = JSON.reader()
                    .with(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS).readTree(line);
            com.fasterxml.jackson.databind.JsonNode e = n == null ? null : n.get("epoch");
            return e != null && e.isIntegralNumber() && e.canConvertToInt() && e.asInt() > 0 ? e.asInt() : 0;
        } catch (IOException e) {
            return 0;
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
