package dev.jtorch.distributed;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.IntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts local worker processes and supervises them, as {@code torchrun --nproc-per-node N} does:
 * one child JVM per rank (this JVM's {@code java}, class path and {@code -D}/{@code -X} options),
 * their output passed through, and the first failure ends the run — the other workers are
 * stopped (SIGTERM, then killed after a grace period) rather than left waiting on a dead peer.
 */
public final class Launcher {
    private static final Logger LOG = LoggerFactory.getLogger(Launcher.class);

    private final List<Process> workers = new ArrayList<>();
    private final Duration grace;

    private Launcher(Duration grace) {
        this.grace = grace;
    }

    /**
     * Runs {@code nproc} workers, {@code java <this JVM's options> mainClass args(rank)}, and waits
     * for all of them.
     *
     * @param args the command-line arguments of each rank's worker
     * @param grace how long stopped workers get to exit before they are killed
     * @return 0 if every worker exited with 0; otherwise the exit code of the first that failed
     * @throws IOException if a worker cannot be started (those already started are killed)
     * @throws InterruptedException if this thread is interrupted (the workers are killed)
     */
    public static int run(int nproc, String mainClass, IntFunction<List<String>> args, Duration grace)
            throws IOException, InterruptedException {
        if (nproc < 1) {
            throw new IllegalArgumentException("--nproc must be >= 1, got " + nproc);
        }
        Launcher l = new Launcher(Objects.requireNonNull(grace, "grace"));
        Thread hook = new Thread(l::killAll, "jtorch-launcher-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            for (int r = 0; r < nproc; r++) {
                List<String> cmd = command(mainClass, args.apply(r));
                LOG.debug("starting rank {}: {}", r, cmd);
                l.workers.add(new ProcessBuilder(cmd).inheritIO().start());
            }
            return l.supervise();
        } finally {
            l.killAll();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // the JVM is already shutting down: the hook runs (harmlessly) anyway
            }
        }
    }

    /** The command that starts one worker: this JVM's java, class path and -D/-X options. */
    static List<String> command(String mainClass, List<String> args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String a : java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            // heap size, a CDS archive to read, jtorch's -D settings; no debugger agents, and no
            // archive writing (N workers would write one file at once)
            if ((a.startsWith("-D") || a.startsWith("-X")) && !a.startsWith("-XX:ArchiveClassesAtExit")) {
                cmd.add(a);
            }
        }
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(mainClass);
        cmd.addAll(args);
        return cmd;
    }

    private int supervise() throws InterruptedException {
        int alive = workers.size();
        boolean[] done = new boolean[workers.size()];
        while (alive > 0) {
            for (int r = 0; r < workers.size(); r++) {
                Process p = workers.get(r);
                if (done[r] || p.isAlive()) {
                    continue;
                }
                done[r] = true;
                alive--;
                int code = p.exitValue();
                if (code != 0) {
                    LOG.warn("rank {} exited with code {}; stopping the other workers", r, code);
                    stopOthers();
                    return code;
                }
            }
            if (alive > 0) {
                Thread.sleep(50);
            }
        }
        return 0;
    }

    private void stopOthers() throws InterruptedException {
        for (Process p : workers) {
            if (p.isAlive()) {
                p.destroy();
            }
        }
        long deadline = System.nanoTime() + grace.toNanos();
        for (Process p : workers) {
            long left = deadline - System.nanoTime();
            if (left > 0) {
                p.waitFor(left, java.util.concurrent.TimeUnit.NANOSECONDS);
            }
        }
        killAll();
    }

    private void killAll() {
        for (Process p : workers) {
            if (p.isAlive()) {
                p.destroyForcibly();
            }
        }
    }

    /**
     * A TCP port that was free on {@code 127.0.0.1} a moment ago (for a local rendezvous). Another
     * process may take it before the caller binds it; the rendezvous then fails with a clear error.
     *
     * @throws IOException if no port can be bound
     */
    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
