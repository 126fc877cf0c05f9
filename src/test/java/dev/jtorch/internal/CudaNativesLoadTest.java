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
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CUDA build (-Pcuda) starting in fresh JVMs: with CUDA's libraries it loads the CUDA natives;
 * without them it runs on the CPU natives after one warning, or, with -Djtorch.cuda=require,
 * exits 1 naming each missing library. Never a JVM crash (the raw presets die with SIGSEGV).
 */
@Tag("cuda")
class CudaNativesLoadTest {
    @TempDir
    Path tmp;

    private record Result(int exit, String out) {}

    private Result info(String... jvmArgs) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Dorg.bytedeco.javacpp.nopointergc=true");
        cmd.addAll(List.of(jvmArgs));
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add("dev.jtorch.cli.Main");
        cmd.add("info");
        Process p = new ProcessBuilder(cmd).directory(tmp.toFile()).redirectErrorStream(true).start();
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "child JVM timed out");
        return new Result(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    private void noCrashFile() throws IOException {
        try (Stream<Path> s = Files.list(tmp)) {
            assertEquals(List.of(), s.filter(f -> f.getFileName().toString().startsWith("hs_err")).toList(), "the JVM crashed");
        }
    }

    @Test
    void theCudaBuildLoadsTheCudaNativesOrFallsBackOrRefusesCleanly() throws Exception {
        NativeRuntime.Inspection in = NativeRuntime.inspect();
        assertTrue(in.cudaBuild(), "run with -Pcuda");
        NativeCheck.Result check = in.result();
        Result auto = info();
        noCrashFile();
        assertEquals(0, auto.exit(), auto.out());
        if (check.loadable()) {
            assertTrue(auto.out().contains("natives           " + in.platform() + "-gpu"), auto.out());
            return;
        }
        assertTrue(auto.out().contains("jtorch: running on the CPU natives: the CUDA natives need"), auto.out());
        assertTrue(auto.out().contains("natives           " + in.platform() + " (CPU fallback: "), auto.out());

        Result required = info("-Djtorch.cuda=require");
        noCrashFile();
        assertEquals(1, required.exit(), required.out());
        assertTrue(required.out().startsWith("jtorch info: jtorch: the CUDA natives cannot load"), required.out());
        for (LibraryResolver.Library l : check.blocking()) {
            assertTrue(required.out().contains(l.name() + " (needed by "), l.name() + " not named:\n" + required.out());
        }
        assertEquals(1, required.out().lines().count(), required.out());

        Result off = info("-Djtorch.cuda=off");
        assertEquals(0, off.exit(), off.out());
        assertTrue(!off.out().contains("WARN") && off.out().contains("CPU fallback: the CPU natives were chosen with -Djtorch.cuda=off"),
                off.out());
    }
}
