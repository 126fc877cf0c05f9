package dev.jtorch.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jtorch.Device;
import dev.jtorch.NoLeaks;
import dev.jtorch.cli.Main;
import dev.jtorch.models.Architecture;
import dev.jtorch.train.TrainConfig.Amp;
import dev.jtorch.train.TrainConfig.OptimizerKind;
import dev.jtorch.train.TrainConfig.Schedule;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** {@code jtorch train --amp}: bfloat16 autocast training on a synthetic Fashion-MNIST against float32. */
@ExtendWith(NoLeaks.class)
class AmpTrainingTest {
    private static final Trainer.Listener QUIET = new Trainer.Listener() {};

    @TempDir
    static Path shared;
    private static Path data;

    @TempDir
    Path tmp;

    @BeforeAll
    static void writeData() throws Exception {
        data = SyntheticFashionMnist.write(shared, 5000, 10000);
    }

    private static TrainConfig config(Path out, Amp amp) {
        return new TrainConfig(data, Architecture.MLP, 2, 64, OptimizerKind.ADAM, 1e-3, 0, Device.CPU, 3, 1, 5000, 0,
                out, null, Schedule.COSINE, amp);
    }

    @Test
    void bfloat16TrainingReachesFloat32sAccuracy() throws Exception {
        Trainer.Result f32 = Trainer.run(config(tmp.resolve("f32"), Amp.OFF), QUIET, () -> false);
        Trainer.Result bf16 = Trainer.run(config(tmp.resolve("bf16"), Amp.BF16), QUIET, () -> false);
        double a32 = f32.report().accuracy();
        double a16 = bf16.report().accuracy();
        assertTrue(a32 >= 0.75, "float32 accuracy " + a32);
        assertTrue(Math.abs(a16 - a32) <= 0.02, "bf16 accuracy " + a16 + " vs float32 " + a32);
        // and it really ran in bfloat16: the losses differ from float32's
        assertNotEquals(f32.epochs().get(0).trainLoss(), bf16.epochs().get(0).trainLoss());
        assertEquals(2, bf16.epochs().size());
    }

    @Test
    void ampSettingsAreValidated() {
        assertEquals(Amp.OFF, new TrainConfig(data, Architecture.MLP, 1, 64, OptimizerKind.ADAM, 1e-3, 0, Device.CPU,
                0, 1, 100, 0, tmp, null, Schedule.NONE).amp());
        assertEquals(Amp.OFF, config(tmp, null).amp());
        assertEquals(Amp.BF16, config(tmp, Amp.OFF).withAmp(Amp.BF16).amp());
        assertEquals("bf16", Amp.BF16.toString(), "the --amp value, as the README writes it");
        IllegalArgumentException f16 = assertThrows(IllegalArgumentException.class,
                () -> Trainer.run(config(tmp.resolve("f16"), Amp.F16), QUIET, () -> false));
        assertTrue(f16.getMessage().contains("--amp f16 is for CUDA") && f16.getMessage().contains("bf16"),
                f16.getMessage());
    }

    @Test
    void theCommandLineRefusesAnUnknownAmpNamingTheChoices() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(List.of("train", "--amp", "fp8", "--out", tmp.resolve("never").toString()),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        String e = err.toString(StandardCharsets.UTF_8);
        assertEquals(2, code, e);
        assertTrue(e.contains("'--amp'") && e.contains("'fp8'") && e.contains("OFF, BF16, F16"), e);
        assertFalse(Files.exists(tmp.resolve("never")), "nothing written");
    }

    @Test
    void theCommandLineTakesAmp() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(List.of("train", "--amp", "F16", "--device", "cpu", "--limit", "200", "--epochs", "1",
                        "--threads", "1", "--out", tmp.resolve("cli").toString()),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        String e = err.toString(StandardCharsets.UTF_8);
        assertNotEquals(0, code);
        assertEquals("", out.toString(StandardCharsets.UTF_8));
        assertTrue(e.contains("--amp f16 is for CUDA"), e);
        assertFalse(e.contains("\tat "), "no stack trace: " + e);
    }
}
