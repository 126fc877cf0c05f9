package dev.jtorch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every numeric flag of every command is range-checked while parsing (exit 2, one stderr line
 * naming the flag, the value and the allowed range, nothing read or written), and the failures
 * that used to print only a path or NaN files say what is wrong. Runs on the committed 5-sample
 * fixture, not on Fashion-MNIST.
 */
class ArgumentChecksTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String DATA = "src/test/resources/data/fashion-mnist-gz";

    @TempDir
    Path tmp;

    private record Outcome(int code, String out, String err) {
        void failedWith(int expected, String... fragments) {
            assertEquals(expected, code, "exit code; stderr: " + err);
            assertEquals("", out, "nothing on stdout on failure");
            assertEquals(1, err.lines().count(), "one stderr line, no stack trace: " + err);
            for (String f : fragments) {
                assertTrue(err.contains(f), "stderr should contain '" + f + "': " + err);
            }
        }
    }

    private static Outcome cli(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(List.of(args), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Outcome(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static final String INT = "[1, 2147483647]";

    static Stream<Arguments> badNumbers() {
        return Stream.of(
                Arguments.of("train", "--epochs", "0", INT),
                Arguments.of("train", "--epochs", "-3", INT),
                Arguments.of("train", "--epochs", "99999999999", INT),
                Arguments.of("train", "--batch-size", "0", INT),
                Arguments.of("train", "--batch-size", "2147483648", INT),
                Arguments.of("train", "--batch-size", "1.5", INT),
                Arguments.of("train", "--lr", "NaN", "(0, +inf)"),
                Arguments.of("train", "--lr", "nan", "(0, +inf)"),
                Arguments.of("train", "--lr", "-1", "(0, +inf)"),
                Arguments.of("train", "--lr", "0", "(0, +inf)"),
                Arguments.of("train", "--lr", "Infinity", "(0, +inf)"),
                Arguments.of("train", "--lr", "1e-400", "is 0 in double precision"),
                Arguments.of("train", "--momentum", "-0.1", "[0, +inf)"),
                Arguments.of("train", "--momentum", "Infinity", "[0, +inf)"),
                Arguments.of("train", "--seed", "18446744073709551616", "[-9223372036854775808, 9223372036854775807]"),
                Arguments.of("train", "--threads", "0", "[1, 1024]"),
                Arguments.of("train", "--threads", "100000", "[1, 1024]"),
                Arguments.of("train", "--limit", "-1", "[0, 9223372036854775807]"),
                Arguments.of("train", "--val", "-5", "[0, 9223372036854775807]"),
                Arguments.of("train", "--nproc", "0", "[1, 1024]"),
                Arguments.of("train", "--world-size", "0", INT),
                Arguments.of("train", "--rank", "-1", "[0, 2147483647]"),
                Arguments.of("train", "--dist-timeout", "0", "(0, 86400]"),
                Arguments.of("train", "--dist-timeout", "1e300", "(0, 86400]"),
                Arguments.of("train", "--dist-timeout", "NaN", "(0, 86400]"),
                Arguments.of("predict", "--top-k", "0", INT),
                Arguments.of("predict", "--top-k", "-2147483648", INT),
                Arguments.of("predict", "--max-pixels", "0", "[1, 9223372036854775807]"),
                Arguments.of("serve", "--port", "70000", "[0, 65535]"),
                Arguments.of("serve", "--port", "-1", "[0, 65535]"),
                Arguments.of("serve", "--max-batch", "0", "[1, 65536]"),
                Arguments.of("serve", "--max-batch", "2147483647", "[1, 65536]"),
                Arguments.of("serve", "--max-wait-ms", "-1", "[0, 60000]"),
                Arguments.of("serve", "--queue-capacity", "0", "[1, 16777216]"),
                Arguments.of("serve", "--timeout-ms", "0", "[1, 3600000]"),
                Arguments.of("serve", "--timeout-ms", "99999999999999999999", "[1, 3600000]"),
                Arguments.of("serve", "--max-wait-ms", "9223372036854775807", "[0, 60000]"),
                Arguments.of("serve", "--threads", "0", "[1, 1024]"),
                Arguments.of("serve", "--workers", "0", "[1, 1024]"),
                Arguments.of("serve", "--connection-threads", "0", "[1, 1024]"),
                Arguments.of("serve", "--max-body-bytes", "0", "[1, 9223372036854775807]"),
                Arguments.of("serve", "--header-timeout-ms", "-5", "[1, 9223372036854775807]"),
                Arguments.of("serve", "--max-pixels", "99999999999999999999", "[1, 9223372036854775807]"));
    }

    /** Flags with a fixed set of values: picocli lists the enum's constants, and takes any case. */
    static Stream<Arguments> badChoices() {
        return Stream.of(
                Arguments.of("train", "--optimizer", "rmsprop", "[SGD, ADAM, ADAMW] (case-insensitive)"),
                Arguments.of("train", "--schedule", "linear", "[NONE, COSINE, STEP, EXP] (case-insensitive)"),
                Arguments.of("train", "--amp", "fp8", "[OFF, BF16, F16] (case-insensitive)"),
                Arguments.of("train", "--backend", "mpi", "[GLOO, NCCL] (case-insensitive)"),
                Arguments.of("eval", "--split", "valid", "[TRAIN, TEST] (case-insensitive)"));
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource({"badNumbers", "badChoices"})
    void aBadValueIsAUsageErrorNamingFlagValueAndWhatIsAllowed(String command, String flag, String value,
                                                               String allowed) {
        Path out = tmp.resolve("never");
        List<String> args = new ArrayList<>(List.of(command));
        switch (command) {
            case "train" -> args.addAll(List.of("--data", DATA, "--out", out.toString()));
            case "predict" -> args.addAll(List.of("--checkpoint", "x.pt", "--input", "x.png"));
            default -> args.addAll(List.of("--checkpoint", "x.pt"));
        }
        args.addAll(List.of(flag, value));
        // picocli names an option by its longest name: --nproc is reported as '--nproc-per-node'
        cli(args.toArray(new String[0])).failedWith(2, "'" + flag, "'" + value + "'", allowed);
        assertFalse(Files.exists(out), "nothing written");
    }

    @Test
    void choicesAreCaseInsensitive() {
        // parsed, then refused for what they ask: so the upper-case spellings were understood
        cli("train", "--data", DATA, "--out", tmp.resolve("o").toString(), "--optimizer", "SGD", "--schedule", "Step",
                "--amp", "F16", "--device", "cpu").failedWith(2, "--amp f16 is for CUDA");
        cli("train", "--data", DATA, "--out", tmp.resolve("o").toString(), "--backend", "GLOO", "--world-size", "2",
                "--rank", "2").failedWith(2, "--rank 2", "[0, 1]");
    }

    @Test
    void serveInputSpecsAndNamesAreChecked() {
        cli("serve", "--checkpoint", "x.pt", "--input", "tokens:STRING:1").failedWith(2, "--input", "unknown dtype 'STRING'");
        cli("serve", "--checkpoint", "x.pt", "--input", "tokens:INT64").failedWith(2, "--input", "NAME:DTYPE:SHAPE");
        cli("serve", "--checkpoint", "x.pt", "--input", "tokens:INT64:-2,8").failedWith(2, "--input", "[-1, 2147483647]");
        cli("serve", "--checkpoint", "src/test/resources/python/simple_nn.pt", "--name", "a/b", "--port", "0")
                .failedWith(2, "--name", "model name must be");
    }

    @Test
    void rankAndMasterPortAreCheckedAgainstTheirRange() {
        cli("train", "--data", DATA, "--out", tmp.resolve("o").toString(), "--world-size", "2", "--rank", "2")
                .failedWith(2, "--rank 2", "[0, 1]");
        cli("train", "--data", DATA, "--out", tmp.resolve("o").toString(), "--world-size", "1", "--rank", "0",
                "--master", "127.0.0.1:70000").failedWith(2, "--master", "70000", "[1, 65535]");
        cli("train", "--data", DATA, "--out", tmp.resolve("o").toString(), "--world-size", "1", "--rank", "0",
                "--master", "localhost").failedWith(2, "--master", "'localhost' is not HOST:PORT");
    }

    @Test
    void theLargestBatchSizeTrainsOnOneBatchOfEverySample() throws Exception {
        Path out = tmp.resolve("big");
        Outcome o = cli("train", "--data", DATA, "--out", out.toString(), "--epochs", "1", "--threads", "1",
                "--batch-size", "2147483647");
        assertEquals(0, o.code, o.err);
        var m = JSON.readTree(Files.readAllLines(out.resolve("metrics.jsonl")).get(0));
        assertTrue(Double.isFinite(m.get("train_loss").asDouble()) && m.get("train_loss").asDouble() > 0, m.toString());
        assertTrue(m.get("samples_per_second").asDouble() > 0, m.toString());
    }

    @Test
    void aDivergingRunFailsWithoutWritingNaNFiles() {
        Path out = tmp.resolve("nan");
        cli("train", "--data", DATA, "--out", out.toString(), "--epochs", "2", "--threads", "1", "--lr", "1e30")
                .failedWith(1, "training diverged at epoch 1", "NaN", "lower --lr");
        for (String f : List.of("checkpoint.pt", "model.pt", "metrics.jsonl", "eval.json")) {
            assertFalse(Files.exists(out.resolve(f)), f);
        }
    }

    @Test
    void resumingAFinishedRunAndAnOutFileSayWhatIsWrong() throws Exception {
        Path out = tmp.resolve("run");
        Outcome first = cli("train", "--data", DATA, "--out", out.toString(), "--epochs", "1", "--threads", "1",
                "--schedule", "none");
        assertEquals(0, first.code, first.err);
        String ckpt = out.resolve("checkpoint.pt").toString();
        cli("train", "--data", DATA, "--resume", ckpt, "--out", out.toString(), "--epochs", "1", "--schedule", "none")
                .failedWith(2, "already finished 1 epoch", "--epochs N with N > 1");
        Path file = Files.writeString(tmp.resolve("file"), "x");
        cli("train", "--data", DATA, "--out", file.toString(), "--epochs", "1").failedWith(2, "--out " + file,
                "is an existing file");
    }

    @Test
    void aFileSystemFailureSaysWhatHappenedNotJustThePath() {
        assertEquals("/r/x: permission denied", Main.oneLine(new AccessDeniedException("/r/x")));
        assertEquals("/r/x: no such file or folder", Main.oneLine(new NoSuchFileException("/r/x")));
        assertTrue(Main.oneLine(new FileAlreadyExistsException("/r/x")).startsWith("/r/x: already exists"));
        assertEquals("/r/x: permission denied",
                Main.oneLine(new UncheckedIOException(new AccessDeniedException("/r/x"))));
        assertEquals("/r/x: no such checkpoint file", Main.oneLine(new NoSuchFileException("/r/x", null,
                "no such checkpoint file")), "a reason given is kept");
    }
}
