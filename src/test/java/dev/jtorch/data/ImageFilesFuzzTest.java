package dev.jtorch.data;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.jtorch.FuzzSupport;
import java.nio.file.Path;

/**
 * Fuzzes the PNG/JPEG reader (javax.imageio plus jtorch's grey/RGB conversion) at the 28x28 size
 * of the seeds: {@link #readGray} through the in-memory entry point (an upload), {@link #readRgb}
 * through the file one. Contract: exactly h x w (x 3) bytes, or a DataException naming the source.
 * The seeds sit in the class-level inputs folder, shared by both methods.
 */
class ImageFilesFuzzTest {
    private static final int H = 28;
    private static final int W = 28;

    @FuzzTest(maxDuration = "60s")
    void readGray(byte[] data) {
        if (FuzzSupport.tooLarge(data)) {
            return;
        }
        byte[] px;
        try {
            px = ImageFiles.readGray(data, "fuzz-upload", H, W);
        } catch (DataException e) {
            assertEquals(Path.of("fuzz-upload"), e.file());
            return;
        }
        assertEquals(H * W, px.length);
    }

    @FuzzTest(maxDuration = "60s")
    void readRgb(byte[] data) {
        if (FuzzSupport.tooLarge(data)) {
            return;
        }
        Path file = FuzzSupport.write("fuzz_image", data);
        byte[] px;
        try {
            px = ImageFiles.readRgb(file, H, W);
        } catch (DataException e) {
            assertEquals(file, e.file());
            return;
        }
        assertEquals(3 * H * W, px.length);
    }
}
