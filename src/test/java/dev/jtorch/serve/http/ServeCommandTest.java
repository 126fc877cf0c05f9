package dev.jtorch.serve.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jtorch.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code jtorch serve} argument errors (the serving itself is {@link ServerTest}'s). */
class ServeCommandTest {
    private static int run(ByteArrayOutputStream err, String... args) {
        return Main.run(List.of(args), new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void badArgumentsExit2NamingTheOption() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(2, run(err, "serve"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("--checkpoint"), err.toString(StandardCharsets.UTF_8));
        err.reset();
        assertEquals(2, run(err, "serve", "--checkpoint", "src/test/resources/python/simple_nn.pt", "--port", "70000"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("--port"), err.toString(StandardCharsets.UTF_8));
        err.reset();
        assertEquals(2, run(err, "serve", "--checkpoint", "src/test/resources/python/simple_nn.pt", "--threads", "0"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("--threads"), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void cudaWithoutCudaFailsAsTrainAndEvalDo() {
        org.junit.jupiter.api.Assumptions.assumeFalse(dev.jtorch.cuda.Cuda.isAvailable(), "a CUDA machine");
        String model = "src/test/resources/python/simple_nn.pt";
        ByteArrayOutputStream serve = new ByteArrayOutputStream();
        ByteArrayOutputStream eval = new ByteArrayOutputStream();
        ByteArrayOutputStream train = new ByteArrayOutputStream();
        int s = run(serve, "serve", "--checkpoint", model, "--device", "cuda", "--port", "0");
        int e = run(eval, "eval", "--checkpoint", model, "--device", "cuda");
        int t = run(train, "train", "--device", "cuda", "--epochs", "1", "--out",
                System.getProperty("java.io.tmpdir") + "/jtorch-serve-cuda-test");
        String message = eval.toString(StandardCharsets.UTF_8).replace("jtorch eval: ", "");
        assertTrue(message.contains("--device cuda: CUDA is not available"), message);
        assertEquals(e, s);
        assertEquals(e, t);
        assertEquals(message, serve.toString(StandardCharsets.UTF_8).replace("jtorch serve: ", ""));
        assertEquals(message, train.toString(StandardCharsets.UTF_8).replace("jtorch train: ", ""));
    }

    @Test
    void missingModelFileExits1() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(1, run(err, "serve", "--checkpoint", "no/such/model.pt", "--port", "0"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("no/such/model.pt"), err.toString(StandardCharsets.UTF_8));
    }
}
