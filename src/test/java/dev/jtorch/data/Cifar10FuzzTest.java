package dev.jtorch.data;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.jtorch.FuzzSupport;
import java.nio.file.Path;

/**
 * Fuzzes the CIFAR-10 batch reader. Contract: a 3x32x32 data set of whole records with labels
 * 0..9 (checked by Dataset itself), or a DataException naming the file.
 */
class Cifar10FuzzTest {
    @FuzzTest(maxDuration = "60s")
    void readBatch(byte[] data) {
        if (FuzzSupport.tooLarge(data)) {
            return;
        }
        Path file = FuzzSupport.write("fuzz_batch.bin", data);
        Dataset d;
        try {
            d = Cifar10.readBatch(file);
        } catch (DataException e) {
            assertEquals(file, e.file());
            return;
        }
        assertEquals(3, d.channels());
        assertEquals((long) d.size() * 3 * 32 * 32, d.pixels().remaining());
    }
}
