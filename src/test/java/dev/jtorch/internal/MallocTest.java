package dev.jtorch.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jtorch.Torch;
import org.junit.jupiter.api.Test;

class MallocTest {
    @Test
    void glibcThresholdsAreSetAtLoadOnLinux() {
        assumeTrue(System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("linux"), "Linux only");
        assumeTrue(Boolean.parseBoolean(System.getProperty(Malloc.PROPERTY, "true")), "tuning not turned off");
        assertEquals("mmap threshold 32 MiB, trim threshold 1 GiB", Torch.mallocTuning());
    }
}
