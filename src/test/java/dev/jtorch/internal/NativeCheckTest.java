package dev.jtorch.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The check that runs before the CUDA natives load: the ELF64 dynamic-section reader on the real
 * CPU natives and on broken files, and the ld.so-style resolver on fabricated dependency graphs.
 */
class NativeCheckTest {
    @TempDir
    Path tmp;

    private static LibraryResolver.Library lib(List<LibraryResolver.Library> libs, String name) {
        return libs.stream().filter(l -> l.name().equals(name)).findFirst().orElseThrow(() -> new AssertionError(name + " not in " + libs));
    }

    private static LibraryResolver resolver(Map<String, Path> provided, List<Path> ldPath) {
        return new LibraryResolver(new LibraryResolver.SearchPath(provided, ldPath, Map.of(), List.of(), List.of()));
    }

    @Test
    void everyLibraryTheCpuNativesNeedResolves() throws Exception {
        NativeRuntime.Inspection in = NativeRuntime.inspect();
        assertFalse(in.cudaBuild(), "this test runs on the CPU build");
        List<LibraryResolver.Library> libs = in.result().libraries();
        LibraryResolver.Library torchCpu = lib(libs, "libtorch_cpu.so");
        Elf.Info info = Elf.read(torchCpu.path());
        assertEquals(Elf.EM_X86_64, info.machine());
        assertTrue(info.needed().contains("libc10.so"), info.needed().toString());
        assertTrue(info.needed().contains("libgomp.so.1"), info.needed().toString());
        for (String n : info.needed()) {
            assertNotNull(lib(libs, n).path(), n + " (needed by libtorch_cpu.so) did not resolve");
        }
        assertTrue(in.result().complete(), "missing: " + in.result().blockingList());
        assertEquals(lib(libs, "libc10.so").path().getParent(), torchCpu.path().getParent(),
                "libc10.so must come from the bundled natives, not from a system libtorch");
    }

    @Test
    void truncatedAndCorruptFilesGiveAClearErrorNotACrash() throws Exception {
        Path real = lib(NativeRuntime.inspect().result().libraries(), "libc10.so").path();
        byte[] bytes = Files.readAllBytes(real);

        Path tiny = Files.write(tmp.resolve("libtiny.so"), new byte[] {0x7f, 'E', 'L', 'F'});
        Elf.FormatException e = assertThrows(Elf.FormatException.class, () -> Elf.read(tiny));
        assertTrue(e.getMessage().contains(tiny.toString()) && e.getMessage().contains("shorter than an ELF64 header"), e.getMessage());

        Path text = Files.writeString(tmp.resolve("libtext.so"), "INPUT(-lfoo)\n".repeat(10));
        e = assertThrows(Elf.FormatException.class, () -> Elf.read(text));
        assertTrue(e.getMessage().contains("no ELF magic"), e.getMessage());
        assertEquals(-1, Elf.machine64(text));

        // the headers intact, the rest cut off: the program headers point past the end
        Path cut = Files.write(tmp.resolve("libcut.so"), java.util.Arrays.copyOf(bytes, 100));
        e = assertThrows(Elf.FormatException.class, () -> Elf.read(cut));
        assertTrue(e.getMessage().contains("outside the file") && e.getMessage().contains("truncated"), e.getMessage());

        // a dynamic segment that claims to lie beyond the file
        byte[] bad = java.util.Arrays.copyOf(bytes, bytes.length);
        ByteBuffer b = ByteBuffer.wrap(bad).order(ByteOrder.LITTLE_ENDIAN);
        long phoff = b.getLong(32);
        int phentsize = b.getShort(54);
        for (int i = 0; i < b.getShort(56); i++) {
            int at = (int) phoff + i * phentsize;
            if (b.getInt(at) == 2) {
                b.putLong(at + 8, Long.MAX_VALUE - 4);
            }
        }
        Path corrupt = Files.write(tmp.resolve("libcorrupt.so"), bad);
        e = assertThrows(Elf.FormatException.class, () -> Elf.read(corrupt));
        assertTrue(e.getMessage().contains("dynamic segment"), e.getMessage());

        // and the check reports such a root as a problem instead of failing
        NativeCheck.Result r = NativeCheck.check(List.of(cut), resolver(Map.of(), List.of()));
        assertFalse(r.loadable());
        assertTrue(r.blockingList().contains("libcut.so"), r.blockingList());
    }

    @Test
    void aFabricatedMissingDependencyIsNamedWithWhoNeedsIt() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("natives"));
        Path elsewhere = Files.createDirectories(tmp.resolve("ld-path"));
        // root -> libmid.so (next to it, found through $ORIGIN) -> libjtorch-missing.so.7 (nowhere)
        // root -> libonpath.so.1 (LD_LIBRARY_PATH) ; root -> libcuda.so.1 (the driver, nowhere)
        Path root = TinyElf.write(dir.resolve("libroot.so"), "libroot.so",
                List.of("libmid.so", "libonpath.so.1", "libcuda.so.1"), "$ORIGIN");
        TinyElf.write(dir.resolve("libmid.so"), "libmid.so", List.of("libjtorch-missing.so.7", "libprovided.so.2"), null);
        TinyElf.write(elsewhere.resolve("libonpath.so.1"), "libonpath.so.1", List.of(), null);
        Path provided = TinyElf.write(tmp.resolve("libprovided-file.so"), "libprovided.so.2", List.of(), null);

        NativeCheck.Result r = NativeCheck.check(List.of(root),
                resolver(NativeCheck.byName(List.of(provided)), List.of(elsewhere)));
        List<LibraryResolver.Library> libs = r.libraries();
        assertEquals(dir.resolve("libmid.so"), lib(libs, "libmid.so").path());
        assertEquals(elsewhere.resolve("libonpath.so.1"), lib(libs, "libonpath.so.1").path());
        assertEquals(provided, lib(libs, "libprovided.so.2").path(), "a library JavaCPP loads first counts by its soname");
        LibraryResolver.Library missing = lib(libs, "libjtorch-missing.so.7");
        assertNull(missing.path());
        assertEquals(List.of("libmid.so"), missing.neededBy());

        assertFalse(r.loadable());
        assertTrue(r.driverMissing());
        assertEquals(List.of(missing), r.blocking(), "the driver alone does not stop the load");
        String msg = NativeCheck.refusal(r, "To run without CUDA, use the CPU build");
        assertFalse(msg.contains("\n"), "the CLI prints the first line only: " + msg);
        assertTrue(msg.contains("libjtorch-missing.so.7 (needed by libmid.so)"), msg);
        assertTrue(msg.contains("NVIDIA driver is missing") && msg.contains("libcuda.so.1"), msg);
        assertTrue(msg.contains("CUDA 13") && msg.contains("cuDNN 9") && msg.contains("NCCL") && msg.contains("LD_LIBRARY_PATH")
                && msg.contains("nvidia-cudnn-cu13"), msg);

        // provide it on LD_LIBRARY_PATH: everything but the driver resolves
        TinyElf.write(elsewhere.resolve("libjtorch-missing.so.7"), null, List.of(), null);
        NativeCheck.Result fixed = NativeCheck.check(List.of(root), resolver(NativeCheck.byName(List.of(provided)), List.of(elsewhere)));
        assertTrue(fixed.loadable(), fixed.blockingList());
        assertFalse(fixed.complete());
    }

    @Test
    void candidatesThatAreNotElf64ForTheMachineAreSkippedAsTheLinkerDoes() throws Exception {
        Path a = Files.createDirectories(tmp.resolve("a"));
        Path b = Files.createDirectories(tmp.resolve("b"));
        Files.writeString(a.resolve("libdep.so.1"), "not a library");
        Files.createSymbolicLink(a.resolve("libdangling.so"), tmp.resolve("nowhere.so"));
        TinyElf.write(b.resolve("libdep.so.1"), null, List.of(), null);
        Path root = TinyElf.write(tmp.resolve("libroot.so"), null, List.of("libdep.so.1", "libdangling.so"), null);
        List<LibraryResolver.Library> libs = NativeCheck.check(List.of(root), resolver(Map.of(), List.of(a, b))).libraries();
        assertEquals(b.resolve("libdep.so.1"), lib(libs, "libdep.so.1").path());
        assertNull(lib(libs, "libdangling.so").path());
    }

    @Test
    void ldSoConfIncludesAndTheLdCacheAreRead() throws Exception {
        Path etc = Files.createDirectories(tmp.resolve("etc"));
        Files.createDirectories(etc.resolve("ld.so.conf.d"));
        Files.writeString(etc.resolve("ld.so.conf"), "# comment\ninclude ld.so.conf.d/*.conf\n/opt/first\n");
        Files.writeString(etc.resolve("ld.so.conf.d/zz-cuda.conf"), "/usr/local/cuda-13.1/lib64\n");
        Files.writeString(etc.resolve("ld.so.conf.d/a.conf"), "/opt/a # trailing\n\ninclude /nonexistent/*.conf\n");
        Files.writeString(etc.resolve("ld.so.conf.d/ignored.txt"), "/opt/ignored\n");
        assertEquals(List.of(Path.of("/opt/a"), Path.of("/usr/local/cuda-13.1/lib64"), Path.of("/opt/first")),
                LibraryResolver.confDirs(etc.resolve("ld.so.conf")));

        Path target = TinyElf.write(tmp.resolve("libcached.so.3"), null, List.of(), null);
        Path cache = Files.write(tmp.resolve("ld.so.cache"), ldCache(Map.of("libcached.so.3", target.toString())));
        Map<String, List<Path>> read = LibraryResolver.readLdCache(cache);
        assertEquals(List.of(target), read.get("libcached.so.3"));
        Path root = TinyElf.write(tmp.resolve("libroot.so"), null, List.of("libcached.so.3"), null);
        LibraryResolver r = new LibraryResolver(new LibraryResolver.SearchPath(Map.of(), List.of(), read, List.of(), List.of()));
        assertEquals(target, lib(r.closure(List.of(root)), "libcached.so.3").path());

        assertNull(LibraryResolver.readLdCache(Files.writeString(tmp.resolve("junk"), "glibc-ld.so.cache1.1 short")));
        Path system = Path.of("/etc/ld.so.cache");
        if (Files.isReadable(system)) {
            assertNotNull(LibraryResolver.readLdCache(system).get("libc.so.6"), "this machine's ld.so.cache lists libc.so.6");
        }
    }

    @Test
    void driverVersionComesFromTheKernelModuleLine() throws Exception {
        Path v = Files.writeString(tmp.resolve("version"), "NVRM version: NVIDIA UNIX Open Kernel Module for x86_64  580.65.06"
                + "  Release Build  (dvs-builder@U16-I3-B03-4-3)  Tue Jul 22 00:00:00 UTC 2025\nGCC version:  gcc version 12.3.0\n");
        assertEquals("580.65.06", NativeCheck.driverVersion(v));
        assertNull(NativeCheck.driverVersion(tmp.resolve("absent")));
    }

    /** glibc's "new" ld.so.cache format: 48-byte header, 24-byte entries, strings relative to the header. */
    private static byte[] ldCache(Map<String, String> entries) {
        List<byte[]> strings = new ArrayList<>();
        int stringsAt = 48 + 24 * entries.size();
        ByteBuffer b = ByteBuffer.allocate(4096).order(ByteOrder.nativeOrder());
        b.put("glibc-ld.so.cache1.1".getBytes(StandardCharsets.US_ASCII));
        b.putInt(entries.size()).putInt(0).put(new byte[4]).putInt(0).put(new byte[12]);
        int at = stringsAt;
        for (Map.Entry<String, String> e : entries.entrySet()) {
            byte[] k = (e.getKey() + "\0").getBytes(StandardCharsets.US_ASCII);
            byte[] v = (e.getValue() + "\0").getBytes(StandardCharsets.US_ASCII);
            b.putInt(0x0303).putInt(at).putInt(at + k.length).putInt(0).putLong(0);
            strings.add(k);
            strings.add(v);
            at += k.length + v.length;
        }
        for (byte[] s : strings) {
            b.put(s);
        }
        return java.util.Arrays.copyOf(b.array(), b.position());
    }
}
