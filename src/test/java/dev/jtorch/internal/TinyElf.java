package dev.jtorch.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes the smallest ELF64 x86-64 shared object the dynamic-section reader accepts: one PT_LOAD
 * covering the file, one PT_DYNAMIC, the entries asked for and their string table. Lets a test
 * fabricate any dependency graph, including libraries that exist nowhere. Not a test itself.
 */
final class TinyElf {
    private TinyElf() {}

    static Path write(Path file, String soname, List<String> needed, String runpath) throws IOException {
        ByteArrayStrings strings = new ByteArrayStrings();
        List<long[]> dyn = new ArrayList<>();
        for (String n : needed) {
            dyn.add(new long[] {1, strings.add(n)});
        }
        if (soname != null) {
            dyn.add(new long[] {14, strings.add(soname)});
        }
        if (runpath != null) {
            dyn.add(new long[] {29, strings.add(runpath)});
        }
        int dynOff = 64 + 2 * 56;
        int dynSize = (dyn.size() + 3) * 16;
        int strOff = dynOff + dynSize;
        byte[] str = strings.bytes();
        dyn.add(new long[] {5, strOff});
        dyn.add(new long[] {10, str.length});
        dyn.add(new long[] {0, 0});
        int total = strOff + str.length;
        ByteBuffer b = ByteBuffer.allocate(total).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {0x7f, 'E', 'L', 'F', 2, 1, 1, 0});
        b.position(16);
        b.putShort((short) 3).putShort((short) Elf.EM_X86_64).putInt(1).putLong(0).putLong(64).putLong(0).putInt(0)
                .putShort((short) 64).putShort((short) 56).putShort((short) 2).putShort((short) 64).putShort((short) 0)
                .putShort((short) 0);
        // PT_LOAD over the whole file, vaddr == offset
        b.putInt(1).putInt(4).putLong(0).putLong(0).putLong(0).putLong(total).putLong(total).putLong(0x1000);
        b.putInt(2).putInt(6).putLong(dynOff).putLong(dynOff).putLong(dynOff).putLong(dynSize).putLong(dynSize).putLong(8);
        for (long[] d : dyn) {
            b.putLong(d[0]).putLong(d[1]);
        }
        b.put(str);
        Files.write(file, b.array());
        return file;
    }

    private static final class ByteArrayStrings {
        private final StringBuilder sb = new StringBuilder("\0");

        long add(String s) {
            long at = sb.length();
            sb.append(s).append('\0');
            return at;
        }

        byte[] bytes() {
            return sb.toString().getBytes(StandardCharsets.UTF_8);
        }
    }
}
