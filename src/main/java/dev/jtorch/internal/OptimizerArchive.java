package dev.jtorch.internal;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
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
 * <p>The zip is read through its central directory ({@link ZipBytes}), as libtorch's reader
 * (miniz) does, so that both see the same entries.
 */
public final class OptimizerArchive {
    private OptimizerArchive() {}

    /** The bytes are not a (whole) zip archive at all, as opposed to an archive holding code. */
    public static final class Corrupt extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        Corrupt(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private static final int MAX_CODE_BYTES = 4 << 20;
    private static final String WHAT = "optimizer state archive";

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
     * <p>Besides the entries and the code files, the pickle ({@code data.pkl}) is run through
     * jtorch's own pickle machine under {@link Pickle#OPTIMIZER_ARCHIVE}, and every tensor in it is
     * checked against its storage entry, so libtorch never builds a view outside its storage.
     *
     * @throws Corrupt if the bytes are not a readable zip archive
     * @throws IllegalArgumentException saying what was found: an unexpected entry, code (naming
     *     the code file and line), a refused pickle global, or a tensor outside its storage
     */
    public static void check(byte[] bytes) {
        ZipBytes zip;
        try {
            zip = ZipBytes.open(bytes, WHAT);
        } catch (ZipBytes.Corrupt e) {
            throw new Corrupt(e.getMessage(), e);
        }
        String prefix = null;
        for (ZipBytes.Entry e : zip.entries()) {
            String name = e.name();
            int slash = name.indexOf('/');
            if (slash <= 0) {
                throw new IllegalArgumentException("unexpected entry " + quote(name) + " in the " + WHAT);
            }
            String top = name.substring(0, slash + 1);
            if (prefix == null) {
                prefix = top;
            } else if (!prefix.equals(top)) {
                throw new IllegalArgumentException(WHAT + " has two top-level folders, " + quote(prefix)
                        + " and " + quote(top));
            }
            String rel = name.substring(slash + 1);
            if (!ENTRY.matcher(rel).matches()) {
                throw new IllegalArgumentException("unexpected entry " + quote(name) + " in the " + WHAT
                        + (rel.startsWith("code/") ? " (code)" : ""));
            }
            if (rel.endsWith(".py")) {
                checkCode(name, content(zip, e, MAX_CODE_BYTES));
            } else if (rel.equals("constants.pkl") && e.size() > 8) {
                throw new IllegalArgumentException(WHAT + " has constants (" + quote(name) + "), which only code uses");
            }
        }
        ZipBytes.Entry pkl = prefix == null ? null : zip.entry(prefix + "data.pkl");
        if (pkl == null) {
            throw new Corrupt("not an " + WHAT + " (no data.pkl)", null);
        }
        checkPickle(zip, prefix, content(zip, pkl, Pickle.MAX_BYTES));
    }

    /** Runs data.pkl through the pickle machine and checks each tensor against its storage entry. */
    private static void checkPickle(ZipBytes zip, String prefix, byte[] pkl) {
        Object root;
        try {
            root = Pickle.run(pkl, Pickle.OPTIMIZER_ARCHIVE);
        } catch (Pickle.Refused e) {
            throw new IllegalArgumentException(WHAT + "'s " + quote(prefix + "data.pkl") + ": " + e.getMessage(), e);
        }
        List<Pickle.TensorSpec> tensors = new ArrayList<>();
        Pickle.walk(root, o -> {
            if (o instanceof Pickle.TensorSpec t) {
                tensors.add(t);
            }
        });
        try {
            for (Pickle.TensorSpec t : tensors) {
                String key = prefix + "data/" + t.storage().key();
                ZipBytes.Entry data = zip.entry(key);
                if (data == null) {
                    throw new Pickle.Refused("a tensor's storage entry " + quote(key) + " is missing");
                }
                long want = Pickle.storageBytes(t.storage());
                if (data.size() != want) {
                    throw new Pickle.Refused("storage entry " + quote(key) + " has " + data.size() + " bytes, but its"
                            + " tensors declare " + t.storage().numel() + " x " + t.storage().dtype() + " = " + want);
                }
                Pickle.checkView(key, t, Long.MAX_VALUE);
            }
        } catch (Pickle.Refused e) {
            throw new IllegalArgumentException(WHAT + " refused: " + e.getMessage(), e);
        }
    }

    private static byte[] content(ZipBytes zip, ZipBytes.Entry e, int limit) {
        try {
            return zip.content(e, limit);
        } catch (ZipBytes.Corrupt x) {
            throw new Corrupt(x.getMessage(), x);
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

    private static String quote(String s) {
        return ZipBytes.quote(s);
    }
}
