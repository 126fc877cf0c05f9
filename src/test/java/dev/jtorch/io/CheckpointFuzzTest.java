package dev.jtorch.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.jtorch.FuzzSupport;
import dev.jtorch.tensor.Tensor;
import dev.jtorch.tensor.TensorScope;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Fuzzes the checkpoint reader, {@link Checkpoint#load} on a file. {@link #loadFile} mutates
 * whole files; {@link #structured} builds a well-formed checkpoint zip from framed parts
 * ({@link ZipFrames#checkpoint}): checkpoint.json, optimizer.bin (checked in Java by
 * OptimizerArchive) and a model.pt whose pickle and storages are fuzzed, so libtorch's
 * {@code torch::pickle_load} reads fuzzed pickles in this JVM.
 *
 * <p>Contract: a checkpoint with a non-blank architecture, a non-negative epoch and open model
 * tensors, or an IOException (ModelFileException naming the file).
 */
class CheckpointFuzzTest {
    @FuzzTest(maxDuration = "60s")
    void loadFile(byte[] data) throws IOException {
        if (FuzzSupport.tooLarge(data)) {
            return;
        }
        check(FuzzSupport.write("fuzz_checkpoint.pt", data));
    }

    @FuzzTest(maxDuration = "60s")
    void structured(byte[] data) throws IOException {
        if (FuzzSupport.tooLarge(data)) {
            return;
        }
        check(FuzzSupport.write("fuzz_checkpoint_structured.pt", ZipFrames.zip(ZipFrames.checkpoint(data))));
    }

    private static void check(Path file) throws IOException {
        try (TensorScope scope = TensorScope.open()) {
            Checkpoint c;
            try {
                c = Checkpoint.load(file);
            } catch (ModelFileException e) {
                assertEquals(file, e.file());
                return;
            } catch (IOException e) {
                return; // documented: reading fails
            }
            assertFalse(c.architecture().isBlank());
            assertTrue(c.epoch() >= 0);
            assertNotNull(c.extra());
            for (Tensor t : c.model().values()) {
                assertFalse(t.isClosed());
                assertEquals(t.shape().numel(), t.numel());
            }
            assertEquals(ModelKind.JTORCH_CHECKPOINT, ModelFiles.detect(file),
                    "Checkpoint.load read the file, so ModelFiles.detect must call it a checkpoint");
        }
    }
}
