package dev.jtorch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The command line's contract: exit codes, stdout only on success, one stderr line on error. */
class MainTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return Main.run(List.of(args), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void infoPrintsVersionsAndThreads() {
        assertEquals(0, run("info"));
        String s = out.toString(StandardCharsets.UTF_8);
        assertTrue(s.contains("libtorch          2.10.0"), s);
        assertTrue(s.contains("(OpenBLAS 1)"), s);
        assertTrue(s.contains("best device       cpu"), s);
        assertEquals("", err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void unknownCommandIsExitTwoWithOneLineAndNoStdout() {
        assertEquals(2, run("frobnicate"));
        assertEquals("", out.toString(StandardCharsets.UTF_8));
        String e = err.toString(StandardCharsets.UTF_8);
        assertEquals(1, e.lines().count(), e);
        assertTrue(e.contains("frobnicate"), e);
    }

    @Test
    void extraArgumentIsExitTwo() {
        assertEquals(2, run("info", "--nope"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("--nope"));
        assertEquals("", out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void noArgumentsIsExitTwoNamingTheCommands() {
        assertEquals(2, run());
        assertEquals("", out.toString(StandardCharsets.UTF_8));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("missing command"), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void helpGoesToStdoutAndExitsZero() {
        assertEquals(0, run("--help"));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("Usage: jtorch"));
    }

    @Test
    void everySubcommandTakesHelp() {
        for (String command : Main.commandLine().getSubcommands().keySet()) {
            out.reset();
            assertEquals(0, run(command, "--help"), command);
            String help = out.toString(StandardCharsets.UTF_8);
            assertTrue(help.startsWith("Usage: jtorch " + command) && help.contains("-h, --help"), help);
        }
    }

    /**
     * The help texts live in messages.properties, found by key: a key that does not match (a
     * renamed option, a new one without its line) would leave its description silently empty.
     */
    @Test
    void everyCommandAndOptionHasItsHelpText() {
        CommandLine cl = Main.commandLine();
        assertTrue(!cl.getSubcommands().isEmpty());
        assertDescribed(cl);
    }

    private static void assertDescribed(CommandLine cl) {
        CommandLine.Model.CommandSpec spec = cl.getCommandSpec();
        String command = spec.qualifiedName(" ");
        assertDescription(command, spec.usageMessage().description());
        for (CommandLine.Model.OptionSpec o : spec.options()) {
            assertDescription(command + " " + o.longestName(), o.description());
        }
        cl.getSubcommands().values().forEach(MainTest::assertDescribed);
    }

    private static void assertDescription(String what, String[] description) {
        assertEquals(1, description.length, what);
        assertTrue(!description[0].isBlank() && !description[0].contains("${"), what + ": " + description[0]);
    }

    @Test
    void infoJsonIsOneObject() throws Exception {
        assertEquals(0, run("info", "--json"));
        var node = new com.fasterxml.jackson.databind.ObjectMapper().readTree(out.toString(StandardCharsets.UTF_8));
        assertEquals("2.10.0", node.get("libtorch").asText());
        assertEquals(1, node.get("blas_threads").asInt());
        assertEquals("cpu", node.get("best_device").asText());
    }
}
