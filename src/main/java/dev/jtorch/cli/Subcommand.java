package dev.jtorch.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;

/**
 * What every {@code jtorch} subcommand has: {@code --verbose}, picocli's model of the command, and
 * the ways it prints and refuses arguments. picocli reads the annotated fields of superclasses too.
 */
abstract class Subcommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper().disable(SerializationFeature.INDENT_OUTPUT);

    @CommandLine.Mixin
    Options.Verbose verbose;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** The command's standard output. */
    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    /** A usage error (exit code 2) saying {@code message}, for the caller to throw. */
    CommandLine.ParameterException usage(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }

    /** {@code value} as one line of JSON. */
    static String json(Object value) throws JsonProcessingException {
        return JSON.writeValueAsString(value);
    }

    /** One {@code key value} line of a report, the keys in a column 17 wide. */
    static void row(PrintWriter out, String key, Object value) {
        out.printf("%-17s %s%n", key, value);
    }
}
