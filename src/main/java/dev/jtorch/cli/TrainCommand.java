package dev.jtorch.cli;

import dev.jtorch.data.Dataset;
import dev.jtorch.metrics.EvalReport;
import dev.jtorch.models.Architecture;
import dev.jtorch.train.EpochMetrics;
import dev.jtorch.train.TrainConfig;
import dev.jtorch.train.Trainer;
import dev.jtorch.distributed.Backend;
import dev.jtorch.distributed.Launcher;
import dev.jtorch.distributed.ProcessGroup;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code jtorch train}: trains a classifier and writes the run's files (see {@link Trainer}). */
@Command(name = "train")
final class TrainCommand extends Subcommand {
    @Option(names = "--data") Path data;
    @Option(names = "--model", converter = Options.ArchitectureConverter.class) Architecture model;
    @Option(names = "--epochs", defaultValue = "5", converter = Options.PositiveInt.class) int epochs;
    @Option(names = "--batch-size", defaultValue = "64", converter = Options.PositiveInt.class) int batchSize;
    @Option(names = "--optimizer", defaultValue = "adam") TrainConfig.OptimizerKind optimizer;
    @Option(names = "--lr", converter = Options.PositiveNumber.class) Double lr;
    @Option(names = "--momentum", defaultValue = "0", converter = Options.NonNegativeNumber.class) double momentum;
    @Option(names = "--schedule", defaultValue = "cosine") TrainConfig.Schedule schedule;

    @CommandLine.Mixin
    Options.DeviceOption device;

    @Option(names = "--amp", defaultValue = "off") TrainConfig.Amp amp;
    @Option(names = "--seed", defaultValue = "0", converter = Options.AnyLong.class) long seed;
    @Option(names = "--threads", converter = Options.Threads.class) Integer threads;
    @Option(names = "--limit", defaultValue = "0", converter = Options.NonNegativeLong.class) long limit;
    @Option(names = "--val", defaultValue = "0", converter = Options.NonNegativeLong.class) long val;
    @Option(names = "--out") Path out;
    @Option(names = "--resume") Path resume;

    // Accepted so that every command that reads a model file takes the same flag; it allows nothing
    // here, because a --resume checkpoint (model and optimizer state) is always read as data.
    @Option(names = "--trust-code") boolean trustCode;

    @Option(names = {"--nproc", "--nproc-per-node"}, converter = Options.Nproc.class) Integer nproc;
    @Option(names = "--world-size", converter = Options.PositiveInt.class) Integer worldSize;
    @Option(names = "--rank", converter = Options.NonNegativeInt.class) Integer rank;
    @Option(names = "--master", converter = Options.HostPort.class) InetSocketAddress master;
    @Option(names = "--backend") Backend backend;
    @Option(names = "--dist-timeout", defaultValue = "300", converter = Options.TimeoutSeconds.class) double distTimeout;

    TrainConfig config() {
        return new TrainConfig(data, model, epochs, batchSize, optimizer,
                lr != null ? lr : optimizer.defaultLr(), momentum, device.device, seed,
                threads != null ? threads : Runtime.getRuntime().availableProcessors(), limit, val,
                out != null ? out : TrainConfig.defaultOut(), resume, schedule, amp);
    }

    @Override
    public Integer call() throws Exception {
        if (nproc != null) {
            return launch();
        }
        if (worldSize != null || rank != null) {
            return worker();
        }
        TrainConfig cfg = config();
        PrintWriter stdout = out();
        AtomicBoolean stop = new AtomicBoolean();
        installInterruptHandler(stop);
        try (Progress progress = new Progress(true)) {
            return finish(Trainer.run(cfg, progress, stop::get), progress, true, stdout);
        }
    }

    /**
     * Ends a run's command: the progress bar closed, then the interruption note ({@code main}
     * only) and exit code 130, or the report (where the run made one) and 0.
     */
    private static int finish(Trainer.Result r, Progress progress, boolean main, PrintWriter stdout) {
        progress.close();
        if (r.interrupted()) {
            if (main) {
                System.err.println("jtorch train: interrupted; resume with --resume " + r.out().resolve("checkpoint.pt"));
            }
            return 130;
        }
        if (r.report() != null) {
            printReport(stdout, r);
        }
        return 0;
    }

    /** {@code --nproc N}: N local workers on a fresh loopback port, supervised until they end. */
    private int launch() throws Exception {
        if (worldSize != null || rank != null || master != null) {
            throw new IllegalArgumentException("--nproc starts its own workers: it cannot be combined with --rank,"
                    + " --world-size or --master (those join a run started elsewhere)");
        }
        // the whole original command line ("train" included), less the launcher's own flags
        List<String> base = new ArrayList<>();
        List<String> original = spec.commandLine().getParseResult().originalArgs();
        boolean perRankCuda = false;
        for (int i = 0; i < original.size(); i++) {
            String a = original.get(i);
            if (a.equals("--nproc") || a.equals("--nproc-per-node")) {
                i++; // and its value
            } else if (a.equals("--device") && i + 1 < original.size() && original.get(i + 1).equals("cuda")) {
                perRankCuda = true; // becomes cuda:<rank> below
                i++;
            } else if (a.equals("--device=cuda")) {
                perRankCuda = true;
            } else if (!a.startsWith("--nproc=") && !a.startsWith("--nproc-per-node=")) {
                base.add(a);
            }
        }
        if (threads == null) {
            // the cores are shared by the workers: by default each takes its part, at least one
            base.add("--threads");
            base.add(String.valueOf(Math.max(1, Runtime.getRuntime().availableProcessors() / nproc)));
        }
        if (out == null) {
            base.add("--out");
            base.add(TrainConfig.defaultOut().toString()); // one folder for all ranks, chosen once
        }
        String addr = "127.0.0.1:" + Launcher.freePort();
        // The parent only waits: Ctrl-C reaches the workers (same terminal), which stop together and
        // checkpoint; a second Ctrl-C ends them at once.
        installLauncherInterruptHandler();
        boolean cuda = perRankCuda;
        return Launcher.run(nproc, Main.class.getName(), r -> {
            List<String> args = new ArrayList<>(base);
            args.addAll(List.of("--rank", String.valueOf(r), "--world-size", String.valueOf(nproc), "--master", addr));
            if (cuda) {
                args.addAll(List.of("--device", "cuda:" + r)); // one GPU per local worker, as torchrun's LOCAL_RANK
            }
            return args;
        }, Duration.ofSeconds(10));
    }

    /** {@code --rank R --world-size W --master HOST:PORT}: one rank of a data-parallel run. */
    private int worker() throws Exception {
        if (worldSize == null || rank == null) {
            throw new IllegalArgumentException("--rank and --world-size go together (got "
                    + (rank == null ? "--world-size only" : "--rank only") + ")");
        }
        if (rank >= worldSize) {
            throw usage("--rank " + rank + " is out of range: with --world-size " + worldSize
                    + " the rank must be in [0, " + (worldSize - 1) + "]");
        }
        InetSocketAddress rendezvous = master != null ? master : InetSocketAddress.createUnresolved("127.0.0.1", 29500);
        TrainConfig cfg = config();
        Backend be = backend == null ? Backend.forDevice(cfg.device()) : backend;
        AtomicBoolean stop = new AtomicBoolean();
        installInterruptHandler(stop);
        try (Progress progress = new Progress(rank == 0);
             ProcessGroup group = ProcessGroup.init(be, ProcessGroup.tcp(rendezvous.getHostString(),
                     rendezvous.getPort()), rank, worldSize, Duration.ofMillis(Math.round(distTimeout * 1000)))) {
            return finish(Trainer.run(cfg, progress, stop::get, group), progress, rank == 0, out());
        }
    }

    @SuppressWarnings("restriction")
    private static void installLauncherInterruptHandler() {
        try {
            AtomicBoolean once = new AtomicBoolean();
            sun.misc.Signal.handle(new sun.misc.Signal("INT"), sig -> {
                if (!once.compareAndSet(false, true)) {
                    System.exit(130); // the shutdown hook kills the workers
                }
            });
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            // no SIGINT here: Ctrl-C ends the launcher, whose shutdown hook kills the workers
        }
    }

    /** The first Ctrl-C finishes the current step and saves a checkpoint; a second one exits at once. */
    @SuppressWarnings("restriction")
    private static void installInterruptHandler(AtomicBoolean stop) {
        try {
            sun.misc.Signal.handle(new sun.misc.Signal("INT"), sig -> {
                if (!stop.compareAndSet(false, true)) {
                    Runtime.getRuntime().halt(130);
                }
                System.err.println("\njtorch train: stopping after this step (Ctrl-C again to quit now)");
            });
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            // no SIGINT on this platform or JVM: Ctrl-C ends the process as usual
        }
    }

    static void printReport(PrintWriter out, Trainer.Result r) {
        EvalReport e = r.report();
        out.printf(Locale.ROOT, "model %s, %d test samples: accuracy %.4f, top-5 %.4f, NLL %.4f, ECE %.4f%n",
                r.architecture(), e.samples(), e.accuracy(), e.top5Accuracy(), e.nll(), e.ece());
        out.printf(Locale.ROOT, "macro    precision %.4f recall %.4f F1 %.4f%n", e.macro().precision(), e.macro().recall(),
                e.macro().f1());
        out.printf(Locale.ROOT, "weighted precision %.4f recall %.4f F1 %.4f%n", e.weighted().precision(),
                e.weighted().recall(), e.weighted().f1());
        out.printf(Locale.ROOT, "%-14s %9s %9s %9s %8s%n", "class", "precision", "recall", "F1", "support");
        e.perClass().forEach(c -> out.printf(Locale.ROOT, "%-14s %9.4f %9.4f %9.4f %8d%n", c.label(), c.precision(),
                c.recall(), c.f1(), c.support()));
        e.calibrationIfFitted().ifPresent(c -> out.printf(Locale.ROOT,
                "calibration: temperature %.4f, NLL %.4f -> %.4f, ECE %.4f -> %.4f%n", c.temperature(), c.nllBefore(),
                c.nllAfter(), c.eceBefore(), c.eceAfter()));
        out.println("files in " + r.out() + ": metrics.jsonl model.pt checkpoint.pt eval.json loss.png accuracy.png"
                + " confusion_matrix.png reliability.png");
        out.flush();
    }

    /** A progress bar on a terminal; nothing otherwise (the trainer logs one line per epoch). */
    private static final class Progress implements Trainer.Listener, AutoCloseable {
        private final boolean terminal;
        private ProgressBar bar;
        private int epochs;

        /** A bar only where {@code show} (rank 0 of a data-parallel run) and on a terminal. */
        Progress(boolean show) {
            this.terminal = show && System.console() != null;
        }

        @Override
        public void start(Architecture model, Dataset train, Dataset test, int firstEpoch, int epochs, int steps) {
            this.epochs = epochs;
        }

        @Override
        public void step(int epoch, int step, int steps, double meanLoss, double accuracy, double sps) {
            if (!terminal) {
                return;
            }
            if (bar == null) {
                bar = new ProgressBarBuilder().setTaskName("epoch " + epoch + "/" + epochs).setInitialMax(steps)
                        .setStyle(ProgressBarStyle.ASCII).setUnit(" steps", 1).showSpeed().build();
            }
            bar.stepTo(step);
            bar.setExtraMessage(String.format(Locale.ROOT, "loss %.4f acc %.4f %,.0f samples/s", meanLoss, accuracy, sps));
        }

        @Override
        public void epochEnd(EpochMetrics m) {
            close();
        }

        @Override
        public void close() {
            if (bar != null) {
                bar.close();
                bar = null;
            }
        }
    }
}
