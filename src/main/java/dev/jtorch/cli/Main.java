package dev.jtorch.cli;

import java.io.PrintStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.NotLinkException;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.ResourceBundle;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code jtorch} command. Thin by design: it parses arguments (picocli), calls the library and
 * prints; every command's logic is callable from Java.
 *
 * <p>Exit codes: 0 success, 2 bad arguments, 1 failure. On failure nothing goes to stdout and one
 * line goes to stderr naming the file, key or shape at fault; {@code --verbose} adds the stack
 * trace.
 */
@Command(name = "jtorch", mixinStandardHelpOptions = true, scope = CommandLine.ScopeType.INHERIT,
        versionProvider = Main.Version.class,
        subcommands = {InfoCommand.class, DoctorCommand.class, TrainCommand.class, EvalCommand.class, PredictCommand.class,
            ServeCommand.class})
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Entry point; exits with the command's code. */
    public static void main(String[] args) {
        System.exit(run(List.of(args), System.out, System.err));
    }

    /** Runs a command line and returns the exit code (testable without exiting the JVM). */
    public static int run(List<String> args, PrintStream out, PrintStream err) {
        boolean verbose = args.contains("--verbose");
        PrintWriter o = new PrintWriter(out, true);
        PrintWriter e = new PrintWriter(err, true);
        CommandLine cl = commandLine();
        cl.setOut(o);
        cl.setErr(e);
        // --optimizer ADAM as --optimizer adam: the enums' lower-case names are the documented values
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setParameterExceptionHandler((ex, a) -> {
            e.println("jtorch: " + ex.getMessage());
            return 2;
        });
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            e.println("jtorch " + cmd.getCommandName() + ": " + oneLine(ex));
            if (verbose) {
                ex.printStackTrace(e);
            }
            return ex instanceof IllegalArgumentException ? 2 : 1;
        });
        int code = cl.execute(args.toArray(new String[0]));
        o.flush();
        e.flush();
        return code;
    }

    /**
     * The {@code jtorch} command and its subcommands, with their help texts: every command's and
     * option's description is in the resource bundle {@code dev/jtorch/cli/messages.properties}
     * (its header says how the keys are formed). It is loaded here rather than named in
     * {@code @Command(resourceBundle = ...)}: {@link ResourceBundle#getBundle(String)} looks in the
     * module of its caller, and picocli, the caller there, cannot see a bundle inside the module
     * dev.jtorch when both are on the module path. Set after the subcommands are added, as it
     * reaches only the subcommands present (mixins included: their options are the command's).
     */
    static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.setResourceBundle(ResourceBundle.getBundle("dev.jtorch.cli.messages"));
        return cl;
    }

    /**
     * The first line of the failure's message, saying what went wrong: the JDK's file-system
     * exceptions carry only the path as their message ({@code new AccessDeniedException(path)}),
     * so for those the kind of failure is added, and an {@link java.io.UncheckedIOException} is
     * described by its cause.
     */
    static String oneLine(Throwable t) {
        if (t instanceof java.io.UncheckedIOException && t.getCause() != null) {
            t = t.getCause();
        }
        String m;
        if (t instanceof FileSystemException f && f.getReason() == null) {
            m = f.getFile() + (f.getOtherFile() == null ? "" : " -> " + f.getOtherFile()) + ": " + fileProblem(f);
        } else {
            m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        }
        int nl = m.indexOf('\n');
        return nl >= 0 ? m.substring(0, nl) : m;
    }

    /**
     * What a file-system exception without a reason means, in words. The types are siblings (none
     * extends another), so at most one matches and the map's order does not matter.
     */
    private static final Map<Class<? extends FileSystemException>, String> FILE_PROBLEMS = Map.of(
            NoSuchFileException.class, "no such file or folder",
            AccessDeniedException.class, "permission denied",
            FileAlreadyExistsException.class, "already exists (a file where a folder is needed, or the other way round?)",
            NotDirectoryException.class, "not a folder",
            DirectoryNotEmptyException.class, "folder not empty",
            FileSystemLoopException.class, "symbolic link loop",
            NotLinkException.class, "not a symbolic link");

    private static String fileProblem(FileSystemException f) {
        for (Map.Entry<Class<? extends FileSystemException>, String> e : FILE_PROBLEMS.entrySet()) {
            if (e.getKey().isInstance(f)) {
                return e.getValue();
            }
        }
        return "file system error (" + f.getClass().getSimpleName() + ")";
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command (info, doctor, train, eval, predict, serve)");
    }

    /** {@code --version}. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"jtorch " + dev.jtorch.Torch.version()};
        }
    }
}
