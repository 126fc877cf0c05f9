package dev.jtorch.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import java.util.regex.Pattern;

/**
 * Checks, in Java, that optimizer state bytes hold data and no code before libtorch opens them.
 *
 * <p>libtorch serializes optimizer state as the archive of a TorchScript module, and opening one
 * ({@code InputArchive::load_from}, i.e. {@code torch::jit::load}) compiles the classes under
 * {@code code/} and runs any {@code __setstate__} they define. The archives {@link NativeOptimizer}
 * writes only declare attributes, so this accepts exactly that shape: the entries libtorch writes,
 * stored uncompressed, and code files made of attribute declarations only (no {@code def}, no
 * expressions, no custom C++ classes). Anything else, including a TorchScript model renamed to
 * {@code optimizer.bin}, is refused before a byte reaches libtorch.
 *
 * <p>The zip is read through its central directory, as libtorch's reader (miniz) does, so that
 * both see the same entries.
 */
public final class OptimizerArchive {
    private OptimizerArchive() {}

    /** The bytes are not a (whole) zip archive at all, as opposed to an archive holding code. */
    public static final class Corrupt extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        Corrupt(String message) {
            super(message);
        }

        Corrupt(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private static final int MAX_ENTRIES = 1 << 20;
    private static final int MAX_CODE_BYTES = 4 << 20;
    private static final int MAX_PICKLE_BYTES = 64 << 20;

    private static final Pattern ENTRY = Pattern.compile(
            "data\\.pkl|constants\\.pkl|version|byteorder|\\.data/serialization_id|\\.data/version|data/[0-9]{1,12}"
                    + "|code/__torch__(/[A-Za-z_][A-Za-z0-9_]{0,200})?\\.py(\\.debug_pkl)?");
    private static final String TYPE = "[A-Za-z_][A-Za-z0-9_.]*(\\[[A-Za-z0-9_., \\[\\]]*\\])?";
    private static final String STRING = "\"[^\"\\\\]*\"";
    // Attribute declarations are all libtorch emits for an OutputArchive; a method, a constant
    // expression or a decorator cannot match any of these.
    private static final Pattern DECLARATION = Pattern.compile(
            "class [A-Za-z_][A-Za-z0-9_]*\\(Module\\):"
                    + "|  __(parameters|buffers)__ = \\[(" + STRING + ", )*\\]"
                    + "|  __annotations__ = \\[\\]"
                    + "|  __annotations__\\[" + STRING + "\\] = " + TYPE
                    + "|  [A-Za-z_][A-Za-z0-9_]* : " + TYPE
                    + "|import __torch__(\\.[A-Za-z_][A-Za-z0-9_]*)*"
                    + "|");

    /**
     * Refuses {@code bytes} unless they are an optimizer state archive of the shape jtorch writes.
     *
     * @throws Corrupt if the bytes are not a readable zip archive
     * @throws IllegalArgumentException saying what was found: an unexpected entry, or code (naming
     *     the code file and line)
     */
    public static void check(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int eocd = -1;
        for (int i = bytes.length - 22; i >= Math.max(0, bytes.length - 22 - 65535); i--) {
            if (b.getInt(i) == 0x06054b50) {
                eocd = i;
                break;
            }
        }
        if (eocd < 0) {
            throw new Corrupt("not an optimizer state archive (no zip directory)");
        }
        int count = Short.toUnsignedInt(b.getShort(eocd + 10));
        long cdSize = Integer.toUnsignedLong(b.getInt(eocd + 12));
        long cdOffset = Integer.toUnsignedLong(b.getInt(eocd + 16));
        if (count == 0xFFFF || cdOffset == 0xFFFFFFFFL || cdSize == 0xFFFFFFFFL) {
            throw new Corrupt("optimizer state archive uses ZIP64, which jtorch never writes");
        }
        if (count > MAX_ENTRIES || cdOffset + cdSize > eocd) {
            throw new Corrupt("corrupt optimizer state archive (zip directory out of bounds)");
        }
        Set<String> seen = new HashSet<>();
        String prefix = null;
        int at = (int) cdOffset;
        for (int n = 0; n < count; n++) {
            if (at + 46 > eocd || b.getInt(at) != 0x02014b50) {
                throw new Corrupt("corrupt optimizer state archive (bad zip directory entry " + n + ")");
            }
            int method = Short.toUnsignedInt(b.getShort(at + 10));
            long compressed = Integer.toUnsignedLong(b.getInt(at + 20));
            long size = Integer.toUnsignedLong(b.getInt(at + 24));
            int nameLen = Short.toUnsignedInt(b.getShort(at + 28));
            int extraLen = Short.toUnsignedInt(b.getShort(at + 30));
            int commentLen = Short.toUnsignedInt(b.getShort(at + 32));
            long local = Integer.toUnsignedLong(b.getInt(at + 42));
            if (at + 46L + nameLen + extraLen + commentLen > eocd) {
                throw new Corrupt("corrupt optimizer state archive (zip directory out of bounds)");
            }
            String name = new String(bytes, at + 46, nameLen, StandardCharsets.UTF_8);
            at += 46 + nameLen + extraLen + commentLen;
            int slash = name.indexOf('/');
            if (slash <= 0) {
                throw new IllegalArgumentException("unexpected entry " + quote(name) + " in the optimizer state archive");
            }
            String top = name.substring(0, slash + 1);
            if (prefix == null) {
                prefix = top;
            } else if (!prefix.equals(top)) {
                throw new IllegalArgumentException("optimizer state archive has two top-level folders, " + quote(prefix)
                        + " and " + quote(top));
            }
            String rel = name.substring(slash + 1);
            if (!ENTRY.matcher(rel).matches()) {
                throw new IllegalArgumentException("unexpected entry " + quote(name) + " in the optimizer state archive"
                        + (rel.startsWith("code/") ? " (code)" : ""));
            }
            if (!seen.add(name)) {
                throw new IllegalArgumentException("optimizer state archive has entry " + quote(name) + " twice");
            }
            if (method != 0 && method != 8) {
                throw new IllegalArgumentException("optimizer state archive entry " + quote(name)
                        + " uses zip method " + method + "; libtorch writes stored or deflated entries");
            }
            if (local + 30 > bytes.length || b.getInt((int) local) != 0x04034b50) {
                throw new Corrupt("corrupt optimizer state archive (entry " + quote(name)
                        + " has no local header)");
            }
            long data = local + 30 + Short.toUnsignedInt(b.getShort((int) local + 26))
                    + Short.toUnsignedInt(b.getShort((int) local + 28));
            if (data + compressed > bytes.length) {
                throw new Corrupt("corrupt optimizer state archive (entry " + quote(name)
                        + " extends past the end)");
            }
            if (rel.endsWith(".py")) {
                checkCode(name, content(name, bytes, (int) data, compressed, size, method, MAX_CODE_BYTES));
            } else if (rel.equals("constants.pkl") && size > 8) {
                throw new IllegalArgumentException("optimizer state archive has constants (" + quote(name)
                        + "), which only code uses");
            } else if (rel.equals("data.pkl")) {
                byte[] pkl = content(name, bytes, (int) data, compressed, size, method, MAX_PICKLE_BYTES);
                if (contains(pkl, "torch.classes")) {
                    throw new IllegalArgumentException("optimizer state archive's " + quote(name)
                            + " refers to a custom C++ class (torch.classes)");
                }
            }
        }
        if (prefix == null || !seen.contains(prefix + "data.pkl")) {
            throw new Corrupt("not an optimizer state archive (no data.pkl)");
        }
    }

    /** An entry's bytes, inflated within {@code limit} if deflated. */
    private static byte[] content(String name, byte[] bytes, int from, long compressed, long size, int method,
                                  int limit) {
        if (size > limit || compressed > limit) {
            throw new IllegalArgumentException("optimizer state archive entry " + quote(name) + " is too large ("
                    + size + " bytes)");
        }
        if (method == 0) {
            if (compressed != size) {
                throw new Corrupt("corrupt optimizer state archive (entry " + quote(name)
                        + " is stored with two sizes)");
            }
            return java.util.Arrays.copyOfRange(bytes, from, from + (int) size);
        }
        Inflater inf = new Inflater(true);
        try {
            inf.setInput(bytes, from, (int) compressed);
            byte[] out = new byte[(int) size];
            int n = 0;
            while (n < out.length && !inf.finished()) {
                int got = inf.inflate(out, n, out.length - n);
                if (got == 0 && (inf.needsInput() || inf.needsDictionary())) {
                    break;
                }
                n += got;
            }
            if (n != out.length) {
                throw new Corrupt("corrupt optimizer state archive (entry " + quote(name)
                        + " inflates to " + n + " bytes, not " + size + ")");
            }
            return out;
        } catch (DataFormatException e) {
            throw new Corrupt("corrupt optimizer state archive (entry " + quote(name)
                    + " does not inflate: " + e.getMessage() + ")", e);
        } finally {
            inf.end();
        }
    }

    private static void checkCode(String name, byte[] content) {
        String text = new String(content, StandardCharsets.UTF_8);
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            if (!DECLARATION.matcher(line).matches() || line.contains("torch.classes")) {
                String shown = line.length() > 80 ? line.substring(0, 80) + "..." : line;
                throw new IllegalArgumentException("optimizer state must be data, but " + quote(name) + " line " + (i + 1)
                        + " is code: " + quote(shown.strip()) + " (a TorchScript program, refused without running it)");
            }
        }
    }

    private static boolean contains(byte[] bytes, String what) {
        int from = 0;
        int len = bytes.length;
        byte[] w = what.getBytes(StandardCharsets.US_ASCII);
        outer:
        for (int i = from; i <= from + len - w.length; i++) {
            for (int j = 0; j < w.length; j++) {
                if (bytes[i + j] != w[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    private static String quote(String s) {
        return "\"" + s.replaceAll("[^\\x20-\\x7e]", "?") + "\"";
    }
}
