package dev.jtorch.train;

import dev.jtorch.Device;
import dev.jtorch.Torch;
import dev.jtorch.amp.GradScaler;
import dev.jtorch.cuda.Cuda;
import dev.jtorch.data.DataException;
import dev.jtorch.data.DataLoader;
import dev.jtorch.data.DataSets;
import dev.jtorch.data.Dataset;
import dev.jtorch.data.Sampler;
import dev.jtorch.distributed.ProcessGroup;
import dev.jtorch.io.Checkpoint;
import dev.jtorch.metrics.EvalReport;
import dev.jtorch.models.Architecture;
import dev.jtorch.nn.Module;
import dev.jtorch.optim.LRScheduler;
import dev.jtorch.optim.Optimizer;
import dev.jtorch.tensor.Tensor;
import dev.jtorch.tensor.TensorScope;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A complete training run as {@code jtorch train} performs it: data, model, optimizer, the
 * {@link Fit} loop with the run's own step ({@link TrainStep}) and callbacks, evaluation, and the
 * files in the output folder.
 *
 * <p>Files (each written to a temp file and renamed): {@code metrics.jsonl} (one
 * {@link EpochMetrics} per epoch, appended when resuming, after dropping lines the checkpoint does
 * not know of: see {@link MetricsFile#reconcile}), {@code checkpoint.pt} (after every epoch and on
 * interruption, with the last epoch's metrics line: {@link RunCheckpoint}), {@code model.pt} (a
 * plain state dict Python's {@code torch.load} reads), {@code eval.json} (the final
 * {@link EvalReport}) and the pictures of {@link Plots} ({@link FinalReport}).
 *
 * <p>Determinism: the model is initialised after {@code Torch.manualSeed(seed)}; the batch order
 * of epoch e is {@link Sampler#permutation(int)}, a function of (seed, e) alone; a checkpoint
 * records the model, the optimizer state, the schedule and, after an interruption, the step within
 * the epoch and the epoch's running sums. So a resumed run computes the same numbers as an
 * uninterrupted one (on CPU with one thread, or with the same batch split, {@link ThreadPlan#split()};
 * timings aside).
 *
 * <p>Divergence: the running training loss is checked where it is read anyway (every 50 steps and
 * at the end of the epoch), the parameters and the test loss once per epoch; a NaN or infinity
 * ends the run with a {@link TrainingDivergedException} before anything of that epoch is written
 * ({@link Divergence}).
 */
public final class Trainer {
    private static final Logger LOG = LoggerFactory.getLogger(Trainer.class);
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
     * ({@link Sampler#indices(int)}) with {@code cfg.batchSize()} samples per step, and the
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
            fields.checkOptimizer(cfg.optimizer().checkpointKind(), "--optimizer " + cfg.optimizer());
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
        RunData data = RunData.load(cfg, arch);
        Dataset train = data.train();
        Dataset test = data.test();
        Path metricsFile = MetricsFile.of(cfg.out());
        EpochMetrics lastMetrics = fields == null ? null : RunCheckpoint.recordedMetrics(fields, resumedEpochs);
        if (writer) {
            Files.createDirectories(cfg.out());
            if (resume == null) {
                Files.deleteIfExists(metricsFile);
            } else {
                MetricsFile.reconcile(metricsFile, resumedEpochs, lastMetrics, sameFolder(cfg.resume(), cfg.out()));
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
             DataLoader evalLoader = dist == null ? null : DataLoader.builder(FinalReport.testShard(test, dist))
                     .batchSize(evalBatch).device(device).deviceResident(resident(test)).build()) {
            if (loader.numBatches() == 0) {
                throw new IllegalArgumentException("no training samples: the training set of " + train.source()
                        + " is empty" + (dist == null ? "" : " or smaller than the " + dist.worldSize() + " ranks"));
            }
            if (!device.equals(Device.CPU)) {
                model.to(device);
            }
            try (Optimizer opt = cfg.optimizer().options(cfg.lr(), cfg.momentum()).build(model.parameters());
                 GradScaler scaler = amp.scaler();
                 SplitStep split = threads.split() > 1 ? new SplitStep(model, threads.split()) : null;
                 // the hand-written dense step: CPU float32, one process, no loss scaling
                 DenseStep dense = split == null && scaler == null && amp.dtype() == null && dist == null
                         && device.equals(Device.CPU) ? DenseStep.forModel(model) : null) {
                if (dense != null) {
                    LOG.info("training step: hand-written dense chain (-D{}=false: autograd)", DenseStep.PROPERTY);
                }
                LRScheduler schedule = cfg.schedule().options(cfg.epochs()).map(c -> c.build(opt)).orElse(null);
                // evaluation's forward passes, split over the same threads as training's
                UnaryOperator<Tensor> forward = split == null ? x -> amp.forward(model, x) : x -> split.forward(x, amp);
                int firstEpoch = 1;
                PartialEpoch partial = new PartialEpoch();
                if (resume != null) {
                    try {
                        resume.restore(model, opt);
                    } catch (IllegalArgumentException e) {
                        throw new IllegalArgumentException(cfg.resume() + ": " + e.getMessage(), e);
                    }
                    firstEpoch = resumedEpochs + 1;
                    partial = RunCheckpoint.restore(fields, schedule);
                    RunCheckpoint.restoreScaler(fields, scaler);
                    if (partial.steps >= loader.numBatches()) {
                        throw new IllegalArgumentException(cfg.resume() + " was interrupted after step " + partial.steps
                                + " of epoch " + firstEpoch + ", but this run has " + loader.numBatches()
                                + " steps per epoch; resume with the --batch-size, --limit and --val it was started with");
                    }
                    LOG.info("resuming {} from {} at epoch {}{}", arch, cfg.resume(), firstEpoch,
                            partial.steps > 0 ? " step " + partial.steps : "");
                }
                int skipSteps = partial.steps;
                if (dist != null) {
                    RunCheckpoint.checkWorld(fields, partial, dist);
                    dist.start(model);
                    if (!dist.writer()) {
                        // the checkpoint's partial sums are already global: rank 0 alone carries them
                        partial.seen = 0;
                        partial.correct = 0;
                        partial.lossSum = 0;
                    }
                }
                Divergence diverged = new Divergence(cfg.out(), opt);
                TrainStep step = new TrainStep(new TrainStep.Parts(model, opt, amp, scaler, split, dense, dist, stop,
                        diverged, loader.device(), loader.numBatches()), partial);
                RunCheckpoint checkpoint = new RunCheckpoint(cfg.out(), arch, train.classNames(), seed, model, opt,
                        schedule, scaler, dist);
                EpochFiles files = new EpochFiles(checkpoint, writer, lastMetrics);
                RunControl control = new RunControl(step, writer, checkpoint.file());
                Fit.Validation testing = state -> {
                    Fit.Figures f = dist == null ? FinalReport.evaluate(model, testLoader, forward)
                            : FinalReport.evaluate(model, evalLoader, dist, forward);
                    diverged.checkLoss(state.epoch(), step.partial().steps, "test loss", f.loss());
                    return f;
                };
                boolean interrupted;
                try {
                    // the schedule is stepped by EpochFiles, between the metrics line and the checkpoint
                    interrupted = Fit.builder(model, opt).train(new ResumedBatches(loader, skipSteps)).step(step).validation(testing)
                            .firstEpoch(firstEpoch).epochs(cfg.epochs())
                            // the listener sees each epoch's files written
                            .callbacks(files, new ListenerCallback(listener, step, arch, train, test, firstEpoch), control)
                            .run().stoppedEarly();
                } catch (RunControl.Interrupted e) {
                    step.endEpoch();
                    if (writer) {
                        PartialEpoch p = step.partial();
                        int epoch = files.done().size() + firstEpoch;
                        files.saveInterrupted(epoch, p);
                        LOG.info("interrupted in epoch {} after step {}: checkpoint saved in {}", epoch, p.steps,
                                checkpoint.file());
                    }
                    return new Result(cfg.out(), arch, files.done(), null, true);
                } catch (EpochFiles.WriteFailed e) {
                    throw e.getCause();
                }
                if (interrupted || !writer) {
                    return new Result(cfg.out(), arch, files.done(), null, interrupted);
                }
                EvalReport report = FinalReport.write(model, testLoader, data.val(), device, test.classNames(), cfg.out(),
                        forward);
                return new Result(cfg.out(), arch, files.done(), report, false);
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

    /** Whether {@code checkpoint} lies in folder {@code out}. */
    private static boolean sameFolder(Path checkpoint, Path out) {
        Path parent = checkpoint.toAbsolutePath().normalize().getParent();
        return parent != null && parent.equals(out.toAbsolutePath().normalize());
    }

}
