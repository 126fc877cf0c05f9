package dev.jtorch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code jtorch doctor} on the CPU build: every library found, no CUDA in this build, exit 0. */
class DoctorCommandTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return Main.run(List.of(args), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void doctorOnTheCpuBuildFindsEverythingAndSaysCudaIsNotInThisBuild() {
        assertEquals(0, run("doctor"), err.toString(StandardCharsets.UTF_8));
        String s = out.toString(StandardCharsets.UTF_8);
        assertTrue(s.contains("platform          linux-x86_64 (pytorch 2.10.0-1.5.13, javacpp 1.5.13, openblas "), s);
        assertTrue(s.contains("build             CPU (linux-x86_64)"), s);
        assertTrue(s.contains("natives in use    linux-x86_64\n"), s);
        assertTrue(s.contains("BLAS              OpenBLAS 0.3.31"), s);
        assertTrue(s.contains("NVIDIA driver     "), s);
        assertTrue(s.contains("CUDA              not in this build"), s);
        assertTrue(s.contains("all found"), s);
        for (String lib : new String[] {"libjnijavacpp.so", "libopenblas.so.0", "libc10.so", "libtorch_cpu.so", "libjnitorch.so",
            "libstdc++.so.6", "libc.so.6"}) {
            assertTrue(s.lines().anyMatch(l -> l.startsWith("  found   " + lib + " ")), lib + " not listed as found:\n" + s);
        }
        assertFalse(s.contains("MISSING"), s);
        assertTrue(s.endsWith("OK: every library jtorch needs resolves.\n"), s);
        assertEquals("", err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void doctorJsonIsOneObjectWithEveryLibrary() throws Exception {
        assertEquals(0, run("doctor", "--json"));
        JsonNode j = new ObjectMapper().readTree(out.toString(StandardCharsets.UTF_8));
        assertTrue(j.get("ok").asBoolean());
        assertTrue(j.get("cuda").asText().startsWith("not in this build"), j.toString());
        assertTrue(j.get("libraries").size() > 10, j.toString());
        for (JsonNode l : j.get("libraries")) {
            assertFalse(l.get("path").isNull(), l.toString());
        }
    }

    @Test
    void infoNamesTheNativesInUse() {
        assertEquals(0, run("info"));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("natives           linux-x86_64\n"), out.toString(StandardCharsets.UTF_8));
    }
}
