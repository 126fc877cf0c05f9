package dev.jtorch.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Loading in fresh JVMs: the empty-cache first load (which crashes the raw presets when a system
 * libtorch is installed) and the JavaCPP pointer-GC decision.
 */
class LoadingTest {
    /** Debian's libtorch-dev ships this; it is what the raw presets pick up by mistake. */
    static final Path SYSTEM_LIBTORCH = Path.of("/usr/lib/x86_64-linux-gnu/libtorch_cpu.so");

    @TempDir
    Path tmp;

    private static final class Result {
        int exit;
        String out;
    }

    private Result run(List<String> jvmArgs, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmArgs);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(LoadProbe.class.getName());
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(tmp.toFile()).redirectErrorStream(true).start();
        assertTrue(p.waitFor(180, TimeUnit.SECONDS), "child JVM timed out");
        Result r = new Result();
        r.exit = p.exitValue();
        r.out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return r;
    }

    @Test
    void firstLoadWithAnEmptyCacheWorks() throws Exception {
        if (System.getenv("CI") != null) {
            // CI installs libtorch-dev so that this test meets the trap it guards against
            assertTrue(Files.exists(SYSTEM_LIBTORCH), "CI must install libtorch-dev for this test: " + SYSTEM_LIBTORCH);
        }
        Path cache = tmp.resolve("empty-cache");
        Result r = run(List.of("-Dorg.bytedeco.javacpp.cachedir=" + cache));
        assertEquals(0, r.exit, "child JVM crashed or failed:\n" + r.out);
        assertTrue(r.out.contains("OK sum=12.0"), r.out);
        assertTrue(Files.isDirectory(cache), "the cache folder was not used");
        // and the second start, from a full cache, works too
        Result again = run(List.of("-Dorg.bytedeco.javacpp.cachedir=" + cache));
        assertEquals(0, again.exit, again.out);
        assertTrue(again.out.contains("OK sum=12.0"), again.out);
        // the second start trusted the extraction stamps; a cache that lost libtorch_cpu.so since
        // then must be completed before the first load, not found out by the dynamic linker
        assertTrue(Files.isDirectory(cache.resolve("jtorch-extracted")), "no extraction stamp was written");
        Path lib;
        try (java.util.stream.Stream<Path> files = Files.walk(cache)) {
            lib = files.filter(p -> p.getFileName().toString().equals("libtorch_cpu.so")).findFirst().orElseThrow();
        }
        Files.delete(lib);
        Result third = run(List.of("-Dorg.bytedeco.javacpp.cachedir=" + cache));
        assertEquals(0, third.exit, third.out);
        assertTrue(third.out.contains("OK sum=12.0"), third.out);
        assertTrue(Files.isRegularFile(lib), "libtorch_cpu.so was not extracted again");
    }

    @Test
    void pointerGcIsOffByDefault() throws Exception {
        Result r = run(List.of());
        assertEquals(0, r.exit, r.out);
        assertTrue(r.out.contains("pointerGc=false"), r.out);
    }

    @Test
    void javacppLoadedFirstWithGcTrackingIsRefusedLoudly() throws Exception {
        Result r = run(List.of(), "javacpp-first");
        assertEquals(0, r.exit, r.out);
        assertTrue(r.out.contains("REFUSED"), r.out);
        assertTrue(r.out.contains("-Dorg.bytedeco.javacpp.nopointergc=true"), r.out);
        assertTrue(r.out.contains("-Djtorch.pointerGc=true"), r.out);
    }

    @Test
    void explicitGcTrackingRequestIsRefusedUnlessAccepted() throws Exception {
        Result refused = run(List.of("-Dorg.bytedeco.javacpp.nopointergc=false"));
        assertTrue(refused.out.contains("REFUSED"), refused.out);
        Result accepted = run(List.of("-Dorg.bytedeco.javacpp.nopointergc=false", "-Djtorch.pointerGc=true"));
        assertEquals(0, accepted.exit, accepted.out);
        assertTrue(accepted.out.contains("OK sum=12.0") && accepted.out.contains("pointerGc=true"), accepted.out);
    }

    @Test
    void javacppLoadedFirstIsAcceptedWhenAsked() throws Exception {
        Result r = run(List.of("-Djtorch.pointerGc=true"), "javacpp-first");
        assertEquals(0, r.exit, r.out);
        assertTrue(r.out.contains("OK sum=12.0") && r.out.contains("pointerGc=true"), r.out);
    }

    @Test
    void threadCountComesFromTheProperty() throws Exception {
        Result r = run(List.of("-Djtorch.threads=1"));
        assertEquals(0, r.exit, r.out);
        assertTrue(r.out.contains("threads=1"), r.out);
    }
}
