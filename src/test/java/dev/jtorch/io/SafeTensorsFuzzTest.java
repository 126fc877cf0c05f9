package dev.jtorch.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.jtorch.FuzzSupport;
import dev.jtorch.tensor.Tensor;
import dev.jtorch.tensor.TensorScope;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Fuzzes the safetensors reader (docs/fuzzing.md). Contract: {@link SafeTensors#load} and
 * {@link SafeTensors#metadata} return or throw an IOException (ModelFileException naming the
 * file); whatever loads is also detected as SAFETENSORS and has the header's sizes.
 */
class SafeTensorsFuzzTest {
    @FuzzTest(maxDuration = "60s")
    void load(byte[] data) throws IOException {
        if (FuzzSupport.tooLarge(data)) {
            return;
        }
        Path file = FuzzSupport.write("fuzz.safetensors", data);
        try (TensorScope scope = TensorScope.open()) {
            Map<String, Tensor> tensors;
            try {
                tensors = SafeTensors.load(file);
            } catch (ModelFileException e) {
                assertEquals(file, e.file());
                return;
            }
            for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
                Tensor t = e.getValue();
                assertFalse(t.isClosed(), e.getKey());
                assertEquals(t.shape().numel(), t.numel(), e.getKey());
            }
            SafeTensors.metadata(file); // the header parsed once, it parses again
            assertEquals(ModelKind.SAFETENSORS, ModelFiles.detect(file),
                    "SafeTensors.load read the file, so ModelFiles.detect must call it safetensors");
        }
    }
}
