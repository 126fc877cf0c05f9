package dev.jtorch.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The dynamic-linking facts of an ELF64 shared library, read in Java from its program headers:
 * soname, needed libraries ({@code DT_NEEDED}), {@code DT_RPATH} and {@code DT_RUNPATH}.
 *
 * <p>Only the few bytes the dynamic linker itself reads are read (headers, the {@code PT_DYNAMIC}
 * segment and one string per entry), never the whole file: libtorch_cuda.so is 500 MB. Every
 * offset and size read from the file is checked against the file's length before use, so a
 * truncated or corrupt file ends in a {@link FormatException}, never in an out-of-bounds read.
 */
final class Elf {
    /** {@code e_machine} of x86-64. */
    static final int EM_X86_64 = 62;

    private static final int PT_LOAD = 1;
    private static final int PT_DYNAMIC = 2;
    private static final long DT_NULL = 0;
    private static final long DT_NEEDED = 1;
    private static final long DT_STRTAB = 5;
    private static final long DT_STRSZ = 10;
    private static final long DT_SONAME = 14;
    private static final long DT_RPATH = 15;
    private static final long DT_RUNPATH = 29;
    // bounds no real library comes near; they keep a corrupt header from making us allocate much
    private static final int MAX_PHNUM = 4096;
    private static final long MAX_DYNAMIC_BYTES = 1 << 20;
    private static final int MAX_STRING = 4096;

    /** Thrown when a file is not a well-formed ELF64 object; the message names the file and the fault. */
    static final class FormatException extends IOException {
        private static final long serialVersionUID = 1L;

        FormatException(Path file, String what) {
            super(file + ": not a usable ELF64 shared library (" + what + ")");
        }
    }

    /**
     * What one library asks of the dynamic linker.
     *
     * @param machine {@code e_machine}, e.g. {@link #EM_X86_64}
     * @param soname {@code DT_SONAME}, or null
     * @param needed {@code DT_NEEDED} entries in file order
     * @param rpath {@code DT_RPATH} entries (unexpanded, e.g. {@code $ORIGIN}); empty if none
     * @param runpath {@code DT_RUNPATH} entries; empty if none
     */
    record Info(int machine, String soname, List<String> needed, List<String> rpath, List<String> runpath) {}

    private Elf() {}

    /**
     * Reads the ELF header only: whether {@code file} is a 64-bit ELF object, and for which machine.
     *
     * @return the {@code e_machine} value, or -1 if the file is not a 64-bit ELF object or cannot be read
     */
    static int machine64(Path file) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            if (ch.size() < 64) {
                return -1;
            }
            ByteBuffer h = read(ch, file, 0, 64);
            if (!isElf64(h)) {
                return -1;
            }
            return h.getShort(18) & 0xffff;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /**
     * Reads the dynamic section of {@code file}.
     *
     * @throws FormatException if the file is not an ELF64 object, is truncated, or its dynamic
     *     section points outside the file
     * @throws IOException if the file cannot be read
     */
    static Info read(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 64) {
                throw new FormatException(file, size + " bytes, shorter than an ELF64 header");
            }
            ByteBuffer h = read(ch, file, 0, 64);
            if (h.getInt(0) != 0x464c457f) { // "\177ELF" read little-endian
                throw new FormatException(file, "no ELF magic");
            }
            if (h.get(4) != 2) {
                throw new FormatException(file, "ELF class " + h.get(4) + ", not 64-bit");
            }
            if (h.get(5) == 2) {
                h.order(ByteOrder.BIG_ENDIAN);
            } else if (h.get(5) != 1) {
                throw new FormatException(file, "unknown byte order " + h.get(5));
            }
            int machine = h.getShort(18) & 0xffff;
            long phoff = h.getLong(32);
            int phentsize = h.getShort(54) & 0xffff;
            int phnum = h.getShort(56) & 0xffff;
            if (phnum == 0 || phnum > MAX_PHNUM || phentsize < 56) {
                throw new FormatException(file, "bad program header table (" + phnum + " x " + phentsize + " bytes)");
            }
            long phbytes = (long) phnum * phentsize;
            checkRange(file, size, phoff, phbytes, "program headers");
            ByteBuffer ph = read(ch, file, phoff, (int) phbytes).order(h.order());

            List<long[]> loads = new ArrayList<>(); // {vaddr, offset, filesz}
            long dynOff = -1;
            long dynSize = 0;
            for (int i = 0; i < phnum; i++) {
                int b = i * phentsize;
                int type = ph.getInt(b);
                long offset = ph.getLong(b + 8);
                long vaddr = ph.getLong(b + 16);
                long filesz = ph.getLong(b + 32);
                if (type == PT_LOAD) {
                    loads.add(new long[] {vaddr, offset, filesz});
                } else if (type == PT_DYNAMIC) {
                    dynOff = offset;
                    dynSize = filesz;
                }
            }
            if (dynOff < 0) {
                // a static executable or an object file: it needs nothing from the dynamic linker
                return new Info(machine, null, List.of(), List.of(), List.of());
            }
            if (dynSize > MAX_DYNAMIC_BYTES) {
                throw new FormatException(file, "dynamic segment of " + dynSize + " bytes");
            }
            checkRange(file, size, dynOff, dynSize, "dynamic segment");
            ByteBuffer dyn = read(ch, file, dynOff, (int) dynSize).order(h.order());

            long strtabAddr = -1;
            long strsz = -1;
            long soname = -1;
            List<Long> needed = new ArrayList<>();
            List<Long> rpath = new ArrayList<>();
            List<Long> runpath = new ArrayList<>();
            for (int p = 0; p + 16 <= dynSize; p += 16) {
                long tag = dyn.getLong(p);
                long val = dyn.getLong(p + 8);
                if (tag == DT_NULL) {
                    break;
                } else if (tag == DT_NEEDED) {
                    needed.add(val);
                } else if (tag == DT_STRTAB) {
                    strtabAddr = val;
                } else if (tag == DT_STRSZ) {
                    strsz = val;
                } else if (tag == DT_SONAME) {
                    soname = val;
                } else if (tag == DT_RPATH) {
                    rpath.add(val);
                } else if (tag == DT_RUNPATH) {
                    runpath.add(val);
                }
            }
            if (needed.isEmpty() && soname < 0 && rpath.isEmpty() && runpath.isEmpty()) {
                return new Info(machine, null, List.of(), List.of(), List.of());
            }
            if (strtabAddr < 0 || strsz < 0) {
                throw new FormatException(file, "dynamic section without a string table");
            }
            long strtab = fileOffset(loads, strtabAddr);
            if (strtab < 0) {
                throw new FormatException(file, "string table address 0x" + Long.toHexString(strtabAddr) + " is in no loaded segment");
            }
            checkRange(file, size, strtab, strsz, "dynamic string table");
            StringReader s = new StringReader(ch, file, strtab, strsz);
            List<String> neededNames = new ArrayList<>();
            for (long n : needed) {
                neededNames.add(s.at(n));
            }
            return new Info(machine, soname < 0 ? null : s.at(soname), List.copyOf(neededNames),
                    paths(s, rpath), paths(s, runpath));
        }
    }

    private static boolean isElf64(ByteBuffer h) {
        return h.getInt(0) == 0x464c457f && h.get(4) == 2 && (h.get(5) == 1 || h.get(5) == 2);
    }

    private static List<String> paths(StringReader s, List<Long> offsets) throws IOException {
        List<String> out = new ArrayList<>();
        for (long o : offsets) {
            for (String dir : s.at(o).split(":")) {
                if (!dir.isEmpty()) {
                    out.add(dir);
                }
            }
        }
        return List.copyOf(out);
    }

    /** The file offset of a virtual address, through the PT_LOAD segment that maps it; -1 if none. */
    private static long fileOffset(List<long[]> loads, long addr) {
        for (long[] l : loads) {
            if (addr >= l[0] && addr - l[0] < l[2]) {
                return l[1] + (addr - l[0]);
            }
        }
        return -1;
    }

    private static void checkRange(Path file, long size, long offset, long length, String what) throws FormatException {
        if (offset < 0 || length < 0 || offset > size || length > size - offset) {
            throw new FormatException(file, what + " at offset " + offset + " (+" + length + " bytes) lies outside the file of "
                    + size + " bytes; truncated?");
        }
    }

    private static ByteBuffer read(FileChannel ch, Path file, long offset, int length) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        while (b.hasRemaining()) {
            if (ch.read(b, offset + b.position()) < 0) {
                throw new FormatException(file, "ends before offset " + (offset + length));
            }
        }
        return b.flip();
    }

    /** NUL-terminated strings of the dynamic string table, read one at a time. */
    private static final class StringReader {
        private final FileChannel ch;
        private final Path file;
        private final long start;
        private final long size;

        StringReader(FileChannel ch, Path file, long start, long size) {
            this.ch = ch;
            this.file = file;
            this.start = start;
            this.size = size;
        }

        String at(long index) throws IOException {
            if (index < 0 || index >= size) {
                throw new FormatException(file, "string index " + index + " outside the string table of " + size + " bytes");
            }
            int n = (int) Math.min(MAX_STRING, size - index);
            ByteBuffer b = read(ch, file, start + index, n);
            for (int i = 0; i < n; i++) {
                if (b.get(i) == 0) {
                    return new String(b.array(), 0, i, StandardCharsets.UTF_8);
                }
            }
            throw new FormatException(file, "unterminated string at index " + index);
        }
    }
}
