package dev.jtorch.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.jtorch.FuzzSupport;
import dev.jtorch.tensor.Tensor;
import dev.jtorch.tensor.TensorScope;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Fuzzes the torch.save state-dict reader through its public entry point, {@link StateDicts#load}
 * on a file (jtorch's pickle interpreter, PyTorchPickle, is being rewritten: its internals are not
 * fuzzed directly). {@link #loadFile} mutates whole files; {@link #pickleInZip} keeps the zip well
 * formed and mutates the data.pkl and storage bytes inside it ({@link ZipFrames}), which is what
 * reaches the pickle interpreter.
 *
 * <p>Contract: a state dict of open tensors, or an IOException (ModelFileException naming the
 * file); a file that loads is also detected as STATE_DICT by {@link ModelFiles#detect}.
 */
class StateDictsFuzzTest {
    @FuzzTest(maxDuration = "60s")
    void loadFile(byte[] data) throws IOException {
        if (FuzzSupport.tooLarge(data)) {
            return;
        }
        check(FuzzSupport.write("fuzz_state_dict.pt", data));
    }

    @FuzzTest(maxDuration = "60s")
    void pickleInZip(byte[] data) throws IOException {
        if (FuzzSupport.tooLarge(data)) {
            return;
        }
        check(FuzzSupport.write("fuzz_pickle.pt", ZipFrames.zip(ZipFrames.archive(data), "fuzz_pickle/")));
    }

    static void check(Path file) throws IOException {
        try (TensorScope scope = TensorScope.open()) {
            Map<String, Tensor> sd;
            try {
                sd = StateDicts.load(file);
            } catch (ModelFileException e) {
                assertEquals(file, e.file());
                return;
            } catch (IOException e) {
                return; // documented: the file cannot be read
            }
            for (Map.Entry<String, Tensor> e : sd.entrySet()) {
                assertNotNull(e.getKey());
                assertNotNull(e.getValue(), e.getKey());
                assertFalse(e.getValue().isClosed(), e.getKey());
                assertEquals(e.getValue().shape().numel(), e.getValue().numel(), e.getKey());
            }
            assertEquals(ModelKind.STATE_DICT, ModelFiles.detect(file),
                    "StateDicts.load read the file, so ModelFiles.detect must call it a state dict");
        }
    }
}
