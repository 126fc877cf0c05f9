package dev.jtorch.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jtorch.Torch;
import dev.jtorch.io.IoTestSupport.Tiny;
import dev.jtorch.optim.SGD;
import dev.jtorch.tensor.Tensor;
import dev.jtorch.tensor.TensorScope;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Detection by content: the fixtures made by PyTorch 1.13 (scripts/check_model_pt.py) and our own
 * files, all under misleading names so that no name can be what decides.
 */
class ModelFilesTest {
    @TempDir
    Path dir;

    private ModelKind detectFixture(String name, String misleadingName) throws IOException {
        return ModelFiles.detect(IoTestSupport.resource(name, dir.resolve(misleadingName)));
    }

    @Test
    void pythonFiles() throws IOException {
        assertEquals(ModelKind.STATE_DICT, detectFixture("linear_state_dict.pt", "script.torchscript"));
        assertEquals(ModelKind.STATE_DICT, detectFixture("linear_plain_dict.pt", "checkpoint.json"));
        assertEquals(ModelKind.TORCHSCRIPT, detectFixture("linear_torchscript.pt", "model_state_dict.pt"));
        assertEquals(ModelKind.UNKNOWN, detectFixture("not_a_state_dict.pt", "state_dict.pt"));
        assertEquals(ModelKind.UNKNOWN, detectFixture("linear_legacy.pt", "legacy.pt"));
    }

    @Test
    void ourFiles() throws IOException {
        Torch.init();
        long before = Torch.liveHandles();
        Path sd = dir.resolve("checkpoint.pt");
        Path ckpt = dir.resolve("model.pt");
        try (Tiny m = new Tiny(); SGD opt = new SGD(m.parameters(), 0.1); TensorScope s = TensorScope.open()) {
            StateDicts.save(m.stateDict(), sd);
            new Checkpoint("tiny", 1, 2, m.stateDict(), Checkpoint.OptimizerState.of(opt), Map.of()).save(ckpt);
            StateDicts.save(Map.of("scalar", Tensor.scalar(1)), dir.resolve("scalar.zip"));
        }
        assertEquals(before, Torch.liveHandles());
        assertEquals(ModelKind.STATE_DICT, ModelFiles.detect(sd));
        assertEquals(ModelKind.JTORCH_CHECKPOINT, ModelFiles.detect(ckpt));
        assertEquals(ModelKind.STATE_DICT, ModelFiles.detect(dir.resolve("scalar.zip")));
    }

    @Test
    void otherContent() throws IOException {
        assertEquals(ModelKind.UNKNOWN, ModelFiles.detect(Files.write(dir.resolve("empty.pt"), new byte[0])));
        assertEquals(ModelKind.UNKNOWN, ModelFiles.detect(Files.writeString(dir.resolve("text.pt"), "hello")));
        assertEquals(ModelKind.UNKNOWN, ModelFiles.detect(Files.write(dir.resolve("pk.pt"), new byte[] {'P', 'K', 3, 4, 0})));
        assertEquals(ModelKind.UNKNOWN, ModelFiles.detect(IoTestSupport.zip(dir.resolve("zip.pt"), Map.of("a.txt", new byte[] {1}))));
        assertEquals(ModelKind.UNKNOWN, ModelFiles.detect(IoTestSupport.zip(dir.resolve("pkl.pt"),
                Map.of("archive/data.pkl", new byte[] {(byte) 0x80, 2, 'K', 1, '.'}))));
    }

    @Test
    void missingOrFolderIsAClearError() {
        NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> ModelFiles.detect(dir.resolve("nope.pt")));
        assertTrue(e.getMessage().contains("nope.pt"), e.getMessage());
        IOException f = assertThrows(IOException.class, () -> ModelFiles.detect(dir));
        assertTrue(f.getMessage().contains("folder"), f.getMessage());
    }
}
