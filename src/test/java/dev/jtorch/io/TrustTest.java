package dev.jtorch.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jtorch.NoLeaks;
import dev.jtorch.io.IoTestSupport.Tiny;
import dev.jtorch.models.Architecture;
import dev.jtorch.optim.SGD;
import dev.jtorch.optim.SGDOptions;
import dev.jtorch.serve.Predictor;
import dev.jtorch.tensor.TensorScope;
import dev.jtorch.train.ModelLoader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The trust model (README "Security", docs/design.md "Reading files an attacker wrote"): data formats never run code, a TorchScript archive runs
 * only when the caller allows code, and non-regular files are refused before they are opened.
 *
 * <p>{@code side_effects.pt} (scripts/fixtures_hostile_torchscript.py) creates a canary file from
 * its {@code __setstate__} and another from its {@code forward}; a refusal must leave both absent.
 */
@ExtendWith(NoLeaks.class)
class TrustTest {
    private static final Path CANARY_SETSTATE = Path.of("/tmp/jtorch-canary-setstate");
    private static final Path CANARY_FORWARD = Path.of("/tmp/jtorch-canary-forward");

    @TempDir
    Path dir;

    @BeforeEach
    @AfterEach
    void noCanaries() throws IOException {
        Files.deleteIfExists(CANARY_SETSTATE);
        Files.deleteIfExists(CANARY_FORWARD);
    }

    private void assertNothingRan() {
        assertFalse(Files.exists(CANARY_SETSTATE), "the archive's __setstate__ ran");
        assertFalse(Files.exists(CANARY_FORWARD), "the archive's forward ran");
    }

    private static void assertCodeRefusal(String message, String fileName) {
        assertTrue(message.contains(fileName), message);
        assertTrue(message.contains("TorchScript"), message);
        assertTrue(message.contains("code"), message);
        assertTrue(message.contains("--trust-code"), message);
        assertTrue(message.contains("ScriptModule.load"), message);
    }

    @Test
    void torchScriptGivenAsDataIsRefusedWithoutRunningIt() throws IOException {
        Path file = SafeTensorsTest.resource(dir, "side_effects.pt");
        assertEquals(ModelKind.TORCHSCRIPT, ModelFiles.detect(file));
        ModelFileException e = assertThrows(ModelFileException.class, () -> ModelLoader.load(file, null));
        assertCodeRefusal(e.getMessage(), "side_effects.pt");
        e = assertThrows(ModelFileException.class, () -> ModelLoader.load(file, Architecture.MLP, Trust.DATA));
        assertCodeRefusal(e.getMessage(), "side_effects.pt");
        e = assertThrows(ModelFileException.class, () -> Predictor.open(file, Architecture.MLP, null));
        assertCodeRefusal(e.getMessage(), "side_effects.pt");
        assertNothingRan();
    }

    @Test
    void allowingCodeLoadsTheArchive() throws IOException {
        Path file = SafeTensorsTest.resource(dir, "side_effects.pt");
        ModelLoader.Loaded loaded = ModelLoader.load(file, null, Trust.CODE);
        try (var m = loaded.model()) {
            assertTrue(m instanceof ScriptModule);
        }
        // proves the fixture is live: the refusals above are what kept these files from appearing
        assertTrue(Files.exists(CANARY_SETSTATE), "the fixture's __setstate__ should have run");
        assertTrue(Files.exists(CANARY_FORWARD), "the load-time probe forward should have run");
    }

    @Test
    void scriptModuleLoadRemainsTheExplicitCall() throws IOException {
        Path file = SafeTensorsTest.resource(dir, "side_effects.pt");
        try (ScriptModule m = ScriptModule.load(file)) {
            assertTrue(Files.exists(CANARY_SETSTATE));
        }
    }

    private byte[] optimizerCheckpoint(Path file) throws IOException {
        try (Tiny m = new Tiny(); SGD opt = new SGD(m.parameters(), SGDOptions.lr(0.1).withMomentum(0.9));
             TensorScope s = TensorScope.open()) {
            new Checkpoint("tiny", 1, 0, m.stateDict(), Checkpoint.OptimizerState.of(opt), Map.of()).save(file);
            return opt.stateBytes();
        }
    }

    /** {@code file} with its {@code optimizer.bin} replaced by {@code replacement}. */
    private static void replaceOptimizerEntry(Path file, Path out, byte[] replacement) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipFile in = new ZipFile(file.toFile()); ZipOutputStream zip = new ZipOutputStream(bytes)) {
            for (ZipEntry e : java.util.Collections.list(in.entries())) {
                zip.putNextEntry(new ZipEntry(e.getName()));
                if (e.getName().equals(Checkpoint.OPTIMIZER_ENTRY)) {
                    zip.write(replacement);
                } else {
                    try (InputStream s = in.getInputStream(e)) {
                        s.transferTo(zip);
                    }
                }
                zip.closeEntry();
            }
        }
        Files.write(out, bytes.toByteArray());
    }

    @Test
    void anOptimizerEntryHoldingCodeIsRefused() throws IOException {
        Path good = dir.resolve("checkpoint.pt");
        byte[] state = optimizerCheckpoint(good);
        try (TensorScope s = TensorScope.open()) {
            assertEquals("SGD", Checkpoint.load(good).optimizer().kind()); // jtorch's own state passes the check
        }
        byte[] script = Files.readAllBytes(SafeTensorsTest.resource(dir, "side_effects.pt"));
        Path bad = dir.resolve("hostile.pt");
        replaceOptimizerEntry(good, bad, script);
        try (TensorScope s = TensorScope.open()) {
            ModelFileException e = assertThrows(ModelFileException.class, () -> Checkpoint.load(bad));
            assertTrue(e.getMessage().contains("hostile.pt"), e.getMessage());
            assertTrue(e.getMessage().contains(Checkpoint.OPTIMIZER_ENTRY), e.getMessage());
            assertTrue(e.getMessage().contains("code"), e.getMessage());
        }
        // the same bytes handed to the optimizer directly
        try (Tiny m = new Tiny(); SGD opt = new SGD(m.parameters(), SGDOptions.lr(0.1).withMomentum(0.9))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> opt.loadState(script));
            assertTrue(e.getMessage().contains("code"), e.getMessage());
            opt.loadState(state);
        }
        assertNothingRan();
    }

    @Test
    void aNamedPipeIsRefusedAtOnce() throws Exception {
        Path fifo = dir.resolve("model.fifo");
        Process p = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
        assertEquals(0, p.waitFor());
        assertTimeoutPreemptively(Duration.ofSeconds(1), () -> {
            ModelFileException e = assertThrows(ModelFileException.class, () -> ModelLoader.load(fifo, null));
            assertTrue(e.getMessage().contains("model.fifo"), e.getMessage());
            assertTrue(e.getMessage().contains("not a regular file"), e.getMessage());
            try (TensorScope s = TensorScope.open()) {
                e = assertThrows(ModelFileException.class, () -> Checkpoint.load(fifo));
                assertTrue(e.getMessage().contains("model.fifo"), e.getMessage());
            }
            e = assertThrows(ModelFileException.class, () -> ModelFiles.detect(fifo));
            assertTrue(e.getMessage().contains("model.fifo"), e.getMessage());
            try (TensorScope s = TensorScope.open()) {
                assertThrows(ModelFileException.class, () -> StateDicts.load(fifo));
                assertThrows(ModelFileException.class, () -> SafeTensors.load(fifo));
            }
            assertThrows(ModelFileException.class, () -> ScriptModule.load(fifo));
        });
    }

    @Test
    void aFolderOrDeviceIsRefused() {
        ModelFileException e = assertThrows(ModelFileException.class, () -> ModelLoader.load(dir, null));
        assertTrue(e.getMessage().contains("folder"), e.getMessage());
        Path dev = Path.of("/dev/zero");
        e = assertThrows(ModelFileException.class, () -> ModelLoader.load(dev, null));
        assertTrue(e.getMessage().contains("/dev/zero"), e.getMessage());
    }
}
