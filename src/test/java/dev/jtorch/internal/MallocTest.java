package dev.jtorch.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jtorch.Torch;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class MallocTest {
    @Test
    void glibcThresholdsAreSetAtLoadOnLinux() {
        assumeTrue(System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("linux"), "Linux only");
        assumeTrue(Boolean.parseBoolean(System.getProperty(Malloc.PROPERTY, "true")), "tuning not turned off");
        assertTrue(Torch.mallocTuning().startsWith("mmap threshold 32 MiB, trim threshold 1 GiB; "), Torch.mallocTuning());
    }

    @Test
    void arenaReportReadsTheTunables() {
        assertEquals("one arena, no mmap (GLIBC_TUNABLES)",
                Malloc.arenas("glibc.malloc.mmap_max=0:glibc.malloc.arena_max=1:glibc.malloc.check=0"));
        assertTrue(Malloc.arenas(null).startsWith("per-thread arenas"));
        assertTrue(Malloc.arenas("glibc.malloc.arena_max=1").startsWith("per-thread arenas"));
        assertTrue(Malloc.arenas("glibc.malloc.arena_max=2:glibc.malloc.mmap_max=0").startsWith("per-thread arenas"));
        assertTrue(Malloc.arenas("garbage").startsWith("per-thread arenas"));
    }

    @Test
    void theLauncherEnvironmentFileAsksForOneArenaWithoutMmap() throws IOException {
        // scripts/jtorch exports every NAME=VALUE line of native/malloc.env that is not a comment
        List<String> lines = Files.readAllLines(Path.of("native", "malloc.env")).stream()
                .map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
        String tunables = lines.stream().filter(l -> l.startsWith("GLIBC_TUNABLES="))
                .map(l -> l.substring("GLIBC_TUNABLES=".length())).findFirst().orElse(null);
        assertEquals("one arena, no mmap (GLIBC_TUNABLES)", Malloc.arenas(tunables));
        // and the thresholds, so that jtorch need not call mallopt (through JNA) at start-up
        assertTrue(Malloc.thresholdsSet(tunables), tunables);
    }

    @Test
    void thresholdsCountOnlyWhenBothAreTheOnesJtorchWouldSet() {
        assertTrue(Malloc.thresholdsSet("glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=1073741824"));
        assertTrue(!Malloc.thresholdsSet("glibc.malloc.mmap_threshold=33554432"));
        assertTrue(!Malloc.thresholdsSet("glibc.malloc.mmap_threshold=131072:glibc.malloc.trim_threshold=1073741824"));
        assertTrue(!Malloc.thresholdsSet("glibc.malloc.arena_max=1:glibc.malloc.mmap_max=0"));
        assertTrue(!Malloc.thresholdsSet(null));
    }
}
