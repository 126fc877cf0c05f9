package dev.jtorch.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * A zip archive held in memory (a checkpoint's {@code model.pt} or {@code optimizer.bin}), read
 * through its central directory as libtorch's reader (miniz) reads it, with every offset and size
 * checked against the bytes before use and every inflation bounded by the size the caller expects.
 *
 * <p>Only what libtorch writes is supported: stored or deflated entries, no ZIP64, no encryption.
 */
public final class ZipBytes {
    private static final int MAX_ENTRIES = 1 << 20;

    /** The bytes are not a (whole) zip archive. */
    public static final class Corrupt extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        Corrupt(String message) {
            super(message);
        }

        Corrupt(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * One entry of the central directory.
     *
     * @param name the entry's name
     * @param method 0 (stored) or 8 (deflated)
     * @param compressed bytes in the archive
     * @param size bytes once inflated
     * @param data offset of the entry's data in the archive
     */
    public record Entry(String name, int method, long compressed, long size, int data) {}

    private final byte[] bytes;
    private final String what;
    private final Map<String, Entry> entries;

    private ZipBytes(byte[] bytes, String what, Map<String, Entry> entries) {
        this.bytes = bytes;
        this.what = what;
        this.entries = entries;
    }

    /**
     * Reads the central directory of {@code bytes}.
     *
     * @param what names the archive in messages, e.g. {@code "optimizer state archive"}
     * @throws Corrupt if the bytes are not a whole zip archive of the supported kind, or an entry
     *     lies outside them, uses another method, or appears twice
     */
    public static ZipBytes open(byte[] bytes, String what) {
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int eocd = -1;
        for (int i = bytes.length - 22; i >= Math.max(0, bytes.length - 22 - 65535); i--) {
            if (b.getInt(i) == 0x06054b50) {
                eocd = i;
                break;
            }
        }
        if (eocd < 0) {
            throw new Corrupt("not a " + what + " (no zip directory)");
        }
        int count = Short.toUnsignedInt(b.getShort(eocd + 10));
        long cdSize = Integer.toUnsignedLong(b.getInt(eocd + 12));
        long cdOffset = Integer.toUnsignedLong(b.getInt(eocd + 16));
        if (count == 0xFFFF || cdOffset == 0xFFFFFFFFL || cdSize == 0xFFFFFFFFL) {
            throw new Corrupt(what + " uses ZIP64, which jtorch never writes");
        }
        if (count > MAX_ENTRIES || cdOffset + cdSize > eocd) {
            throw new Corrupt("corrupt " + what + " (zip directory out of bounds)");
        }
        Map<String, Entry> entries = new LinkedHashMap<>();
        int at = (int) cdOffset;
        for (int n = 0; n < count; n++) {
            if (at + 46 > eocd || b.getInt(at) != 0x02014b50) {
                throw new Corrupt("corrupt " + what + " (bad zip directory entry " + n + ")");
            }
            int flags = Short.toUnsignedInt(b.getShort(at + 8));
            int method = Short.toUnsignedInt(b.getShort(at + 10));
            long compressed = Integer.toUnsignedLong(b.getInt(at + 20));
            long size = Integer.toUnsignedLong(b.getInt(at + 24));
            int nameLen = Short.toUnsignedInt(b.getShort(at + 28));
            int extraLen = Short.toUnsignedInt(b.getShort(at + 30));
            int commentLen = Short.toUnsignedInt(b.getShort(at + 32));
            long local = Integer.toUnsignedLong(b.getInt(at + 42));
            if (at + 46L + nameLen + extraLen + commentLen > eocd) {
                throw new Corrupt("corrupt " + what + " (zip directory out of bounds)");
            }
            String name = new String(bytes, at + 46, nameLen, StandardCharsets.UTF_8);
            at += 46 + nameLen + extraLen + commentLen;
            if ((flags & 1) != 0) {
                throw new Corrupt(what + " entry " + quote(name) + " is encrypted");
            }
            if (method != 0 && method != 8) {
                throw new Corrupt(what + " entry " + quote(name) + " uses zip method " + method
                        + "; libtorch writes stored or deflated entries");
            }
            if (local + 30 > bytes.length || b.getInt((int) local) != 0x04034b50) {
                throw new Corrupt("corrupt " + what + " (entry " + quote(name) + " has no local header)");
            }
            long data = local + 30 + Short.toUnsignedInt(b.getShort((int) local + 26))
                    + Short.toUnsignedInt(b.getShort((int) local + 28));
            if (data + compressed > bytes.length) {
                throw new Corrupt("corrupt " + what + " (entry " + quote(name) + " extends past the end)");
            }
            if (method == 0 && compressed != size) {
                throw new Corrupt("corrupt " + what + " (entry " + quote(name) + " is stored with two sizes)");
            }
            if (entries.put(name, new Entry(name, method, compressed, size, (int) data)) != null) {
                throw new Corrupt(what + " has entry " + quote(name) + " twice");
            }
        }
        return new ZipBytes(bytes, what, Collections.unmodifiableMap(entries));
    }

    /** The entries in directory order. */
    public List<Entry> entries() {
        return new ArrayList<>(entries.values());
    }

    /** The entry called {@code name}, or null. */
    public Entry entry(String name) {
        return entries.get(name);
    }

    /**
     * An entry's bytes, inflated if deflated.
     *
     * @param limit the most bytes the caller accepts
     * @throws IllegalArgumentException if the entry is larger than {@code limit}
     * @throws Corrupt if it does not inflate to its recorded size
     */
    public byte[] content(Entry e, long limit) {
        if (e.size() > limit || e.size() > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException(what + " entry " + quote(e.name()) + " is " + e.size()
                    + " bytes, more than the " + limit + " expected");
        }
        if (e.method() == 0) {
            return java.util.Arrays.copyOfRange(bytes, e.data(), e.data() + (int) e.size());
        }
        Inflater inf = new Inflater(true);
        try {
            inf.setInput(bytes, e.data(), (int) e.compressed());
            byte[] out = new byte[(int) e.size()];
            int n = 0;
            while (n < out.length && !inf.finished()) {
                int got = inf.inflate(out, n, out.length - n);
                if (got == 0 && (inf.needsInput() || inf.needsDictionary())) {
                    break;
                }
                n += got;
            }
            if (n != out.length) {
                throw new Corrupt("corrupt " + what + " (entry " + quote(e.name()) + " inflates to " + n
                        + " bytes, not " + e.size() + ")");
            }
            return out;
        } catch (DataFormatException x) {
            throw new Corrupt("corrupt " + what + " (entry " + quote(e.name()) + " does not inflate: " + x.getMessage()
                    + ")", x);
        } finally {
            inf.end();
        }
    }

    /** A name for messages: quoted, with control and non-ASCII characters shown as '?'. */
    public static String quote(String s) {
        String shown = s.length() > 100 ? s.substring(0, 100) + "..." : s;
        return "\"" + shown.replaceAll("[^\\x20-\\x7e]", "?") + "\"";
    }
}
