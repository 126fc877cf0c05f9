package dev.jtorch.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.jtorch.FuzzSupport;
import java.nio.file.Path;

/**
 * Fuzzes the IDX reader (raw and gzip, see DataFiles). Contract: images whose pixel count is
 * count x rows x cols, labels below the class count, or a DataException naming the file.
 */
class IdxFuzzTest {
    @FuzzTest(maxDuration = "60s")
    void images(byte[] data) {
        if (FuzzSupport.tooLarge(data)) {
            return;
        }
        Path file = FuzzSupport.write("fuzz-images-idx3-ubyte", data);
        Idx.Images im;
        try {
            im = Idx.readImages(file);
        } catch (DataException e) {
            assertEquals(file, e.file());
            return;
        }
        assertTrue(im.count() >= 0 && im.rows() > 0 && im.cols() > 0);
        assertEquals((long) im.count() * im.rows() * im.cols(), im.pixels().length);
    }

    @FuzzTest(maxDuration = "60s")
    void labels(byte[] data) {
        if (FuzzSupport.tooLarge(data)) {
            return;
        }
        Path file = FuzzSupport.write("fuzz-labels-idx1-ubyte", data);
        int[] labels;
        try {
            labels = Idx.readLabels(file, 10);
        } catch (DataException e) {
            assertEquals(file, e.file());
            return;
        }
        for (int v : labels) {
            assertTrue(v >= 0 && v < 10);
        }
    }
}
