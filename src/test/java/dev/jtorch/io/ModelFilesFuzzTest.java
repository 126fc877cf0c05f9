package dev.jtorch.io;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.jtorch.FuzzSupport;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Fuzzes {@link ModelFiles#detect}, which inspects any file without executing it: magic bytes,
 * zip entries, a safetensors header, and the pickle walked by PickleProbe (through detect, not
 * directly: PickleProbe is being rewritten). {@link #pickleInZip} keeps the zip well formed and
 * mutates the pickle inside ({@link ZipFrames}).
 *
 * <p>Contract: a kind, never null, or an IOException (the file is regular and readable here).
 */
class ModelFilesFuzzTest {
    @FuzzTest(maxDuration = "60s")
    void detect(byte[] data) throws IOException {
        if (FuzzSupport.tooLarge(data)) {
            return;
        }
        check(FuzzSupport.write("fuzz_detect.bin", data));
    }

    @FuzzTest(maxDuration = "60s")
    void pickleInZip(byte[] data) throws IOException {
        if (FuzzSupport.tooLarge(data)) {
            return;
        }
        check(FuzzSupport.write("fuzz_detect.pt", ZipFrames.zip(ZipFrames.archive(data), "archive/")));
    }

    private static void check(Path file) throws IOException {
        try {
            assertNotNull(ModelFiles.detect(file));
        } catch (IOException e) {
            // documented (ModelFileException for non-regular files, which these are not)
        }
    }
}
