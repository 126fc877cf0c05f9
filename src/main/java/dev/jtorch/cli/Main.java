package dev.jtorch.cli;

import dev.jtorch.Device;
import dev.jtorch.Torch;
import java.io.PrintStream;
import java.util.List;

/**
 * The {@code jtorch} command. Thin by design: every command's logic lives in the library.
 *
 * <p>This first version has {@code info}; training, evaluation and prediction arrive with the
 * data and training packages.
 */
public final class Main {
    private Main() {}

    /** Entry point; exits 2 on bad arguments, 1 on failure. */
    public static void main(String[] args) {
        System.exit(run(List.of(args), System.out, System.err));
    }

    /** Runs a command line and returns the exit code (testable without exiting the JVM). */
    public static int run(List<String> args, PrintStream out, PrintStream err) {
        boolean verbose = args.contains("--verbose");
        List<String> rest = args.stream().filter(a -> !a.equals("--verbose")).toList();
        if (rest.isEmpty() || rest.get(0).equals("--help") || rest.get(0).equals("-h")) {
            out.println("usage: jtorch info [--verbose]");
            return rest.isEmpty() ? 2 : 0;
        }
        try {
            switch (rest.get(0)) {
                case "info":
                    if (rest.size() > 1) {
                        err.println("jtorch info: unexpected argument '" + rest.get(1) + "'");
                        return 2;
                    }
                    info(out);
                    return 0;
                default:
                    err.println("jtorch: unknown command '" + rest.get(0) + "' (try: jtorch info)");
                    return 2;
            }
        } catch (RuntimeException e) {
            err.println("jtorch: " + e.getMessage());
            if (verbose) {
                e.printStackTrace(err);
            }
            return 1;
        }
    }

    static void info(PrintStream out) {
        Torch.init();
        row(out, "jtorch", Torch.version());
        row(out, "libtorch", Torch.libtorchVersion() + " (JavaCPP presets " + Torch.presetsVersion() + ")");
        row(out, "java", System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")");
        row(out, "intra-op threads", Torch.numThreads() + " (OpenBLAS " + Torch.blasThreads() + ")");
        row(out, "best device", Device.best().toString());
        row(out, "pointer GC", Torch.pointerGc() ? "on (accepted with -Djtorch.pointerGc=true)" : "off");
    }

    private static void row(PrintStream out, String key, String value) {
        out.printf("%-17s %s%n", key, value);
    }
}
