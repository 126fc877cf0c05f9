package dev.jtorch.io;

import dev.jtorch.DType;
import dev.jtorch.Device;
import dev.jtorch.tensor.Shape;
import dev.jtorch.tensor.Tensor;
import dev.jtorch.internal.Pickle;
import dev.jtorch.internal.Pickle.Refused;
import dev.jtorch.internal.Pickle.StorageRef;
import dev.jtorch.internal.Pickle.TensorSpec;
import dev.jtorch.internal.ZipBytes;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Reads a state dict saved by {@code torch.save} (the zip format of PyTorch 1.6 and later) into
 * jtorch tensors, in pure Java, with jtorch's pickle machine ({@link Pickle}) under its
 * {@link Pickle#STATE_DICT} policy.
 *
 * <p>Allowed globals: {@code collections.OrderedDict} (its {@code _metadata} BUILD is accepted and
 * ignored), {@code torch._utils._rebuild_tensor_v2}, {@code torch._utils._rebuild_parameter},
 * {@code torch.jit._pickle.restore_type_tag} (libtorch's typed dicts: the value itself) and the
 * storage classes {@code torch.FloatStorage} ... {@code torch.BoolStorage}, referenced by the
 * persistent id {@code ('storage', type, key, location, numel)}. Any other global is refused
 * before anything is built: nothing in the file is ever executed or imported.
 *
 * <p>Every view is checked against its storage with overflow-safe arithmetic, every storage entry
 * must hold exactly the bytes its element count declares, and the {@code byteorder} entry must say
 * {@code little} or {@code big}. Tensors are contiguous copies of their views, on the CPU, with the
 * storage's dtype, not requiring gradients.
 */
final class PyTorchPickle {
    /** At most this many elements more than the storages hold may be produced by overlapping views. */
    static final long MAX_EXPANSION = 1L << 24;

    private PyTorchPickle() {}

    /** The entries of a torch.save zip: on disk ({@link ZipFile}) or in memory ({@link ZipBytes}). */
    interface Archive {
        /** Entry names in directory order. */
        List<String> names();

        /** Whether the entry exists. */
        boolean has(String name);

        /** The size the entry declares once inflated. */
        long size(String name);

        /** The entry's bytes, at most {@code max} (more is refused). */
        byte[] read(String name, long max) throws IOException, Refused;
    }

    /** An archive over a zip file. */
    static Archive of(ZipFile zip) {
        return new Archive() {
            @Override
            public List<String> names() {
                List<String> names = new ArrayList<>();
                for (var en = zip.entries(); en.hasMoreElements(); ) {
                    names.add(en.nextElement().getName());
                }
                return names;
            }

            @Override
            public boolean has(String name) {
                ZipEntry e = zip.getEntry(name);
                return e != null && !e.isDirectory();
            }

            @Override
            public long size(String name) {
                return zip.getEntry(name).getSize();
            }

            @Override
            public byte[] read(String name, long max) throws IOException, Refused {
                ZipEntry e = zip.getEntry(name);
                if (e.getSize() > max) {
                    throw new Refused("entry " + name + " is " + e.getSize() + " bytes, more than the " + max + " expected");
                }
                try (InputStream in = zip.getInputStream(e)) {
                    byte[] b = in.readNBytes((int) Math.min(max + 1, Integer.MAX_VALUE - 16));
                    if (b.length > max) {
                        throw new Refused("entry " + name + " holds more than the " + max + " bytes expected");
                    }
                    return b;
                }
            }
        };
    }

    /** An archive over zip bytes in memory (a checkpoint's model entry). */
    static Archive of(byte[] bytes, String what) throws Refused {
        ZipBytes zip;
        try {
            zip = ZipBytes.open(bytes, what);
        } catch (ZipBytes.Corrupt e) {
            throw new Refused(e.getMessage());
        }
        return new Archive() {
            @Override
            public List<String> names() {
                List<String> names = new ArrayList<>();
                for (ZipBytes.Entry e : zip.entries()) {
                    names.add(e.name());
                }
                return names;
            }

            @Override
            public boolean has(String name) {
                return zip.entry(name) != null;
            }

            @Override
            public long size(String name) {
                return zip.entry(name).size();
            }

            @Override
            public byte[] read(String name, long max) throws Refused {
                try {
                    return zip.content(zip.entry(name), max);
                } catch (IllegalArgumentException e) {
                    throw new Refused(e.getMessage());
                }
            }
        };
    }

    /**
     * Interprets {@code pickle} (a data.pkl) under the state-dict policy.
     *
     * @throws Refused on a global outside the allowlist, an unknown opcode, a truncated or
     *     malformed stream; the message names the global or opcode and its position
     */
    static Object parse(byte[] pickle) throws Refused {
        return Pickle.run(pickle, Pickle.STATE_DICT);
    }

    /**
     * Reads the torch.save zip {@code zip} (opened from {@code file}) into tensors owned by the
     * current scope, in file order.
     *
     * @throws Refused if it is not a dict of str -> tensor, references a global outside the
     *     allowlist, or its storages are missing or inconsistent
     * @throws IOException if the zip cannot be read (truncated entries, CRC errors)
     */
    static Map<String, Tensor> read(ZipFile zip, Path file) throws IOException, Refused {
        return read(of(zip));
    }

    /**
     * Reads a torch.save archive into tensors owned by the current scope, in file order.
     *
     * @throws Refused as {@link #read(ZipFile, Path)}
     * @throws IOException if an entry cannot be read
     */
    static Map<String, Tensor> read(Archive zip) throws IOException, Refused {
        String pkl = null;
        for (String name : zip.names()) {
            int slash = name.indexOf('/');
            if (slash > 0 && name.indexOf('/', slash + 1) < 0 && name.endsWith("/data.pkl")) {
                pkl = name;
                break;
            }
        }
        if (pkl == null) {
            throw new Refused("is a zip without <archive>/data.pkl, so not a torch.save file");
        }
        String prefix = pkl.substring(0, pkl.length() - "data.pkl".length());
        Object top = parse(zip.read(pkl, Pickle.MAX_BYTES));
        if (!(top instanceof Map<?, ?> dict)) {
            throw new Refused("holds a " + Pickle.typeName(top) + ", not a dict of name -> tensor");
        }
        List<String> problems = new ArrayList<>();
        Map<String, TensorSpec> specs = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : dict.entrySet()) {
            if (!(e.getKey() instanceof String k)) {
                problems.add("a key of type " + Pickle.typeName(e.getKey()));
            } else if (!(e.getValue() instanceof TensorSpec t)) {
                problems.add("'" + k + "' is " + Pickle.typeName(e.getValue()));
            } else {
                specs.put(k, t);
            }
            if (problems.size() > 10) {
                problems.add("...");
                break;
            }
        }
        if (!problems.isEmpty()) {
            throw new Refused("holds a " + Pickle.typeName(top) + " with values that are not tensors: "
                    + String.join(", ", problems));
        }
        ByteOrder order = byteOrder(zip, prefix);
        // Check every declaration before reading a storage byte: sizes, bounds, consistency.
        Map<String, StorageRef> declared = new HashMap<>();
        long storageElements = 0;
        for (Map.Entry<String, TensorSpec> e : specs.entrySet()) {
            StorageRef s = e.getValue().storage();
            StorageRef seen = declared.putIfAbsent(s.key(), s);
            if (seen == null) {
                String entry = prefix + "data/" + s.key();
                if (!zip.has(entry)) {
                    throw new Refused("tensor '" + e.getKey() + "': its storage entry " + entry + " is missing");
                }
                long want = Pickle.storageBytes(s);
                if (want > Integer.MAX_VALUE - 16) {
                    throw new Refused("tensor '" + e.getKey() + "': storage of " + want
                            + " bytes is over the 2 GiB this reader supports");
                }
                if (zip.size(entry) != want) {
                    throw new Refused("tensor '" + e.getKey() + "': storage " + entry + " has " + zip.size(entry)
                            + " bytes, expected " + want + " (" + s.numel() + " x " + s.dtype() + ")");
                }
                storageElements += s.numel();
            } else if (!seen.equals(s)) {
                throw new Refused("tensor '" + e.getKey() + "': storage " + s.key() + " is declared as " + s.numel()
                        + " x " + s.dtype() + " here and as " + seen.numel() + " x " + seen.dtype() + " before");
            }
        }
        long budget = storageElements + MAX_EXPANSION;
        for (Map.Entry<String, TensorSpec> e : specs.entrySet()) {
            budget -= Pickle.checkView(e.getKey(), e.getValue(), Integer.MAX_VALUE - 16);
            if (budget < 0) {
                throw new Refused("its tensors' views hold more than " + MAX_EXPANSION + " elements beyond their"
                        + " storages (overlapping strides); refused to expand them");
            }
        }
        Map<String, ByteBuffer> storages = new HashMap<>();
        for (StorageRef s : declared.values()) {
            String entry = prefix + "data/" + s.key();
            long want = Pickle.storageBytes(s);
            byte[] bytes = zip.read(entry, want);
            if (bytes.length != want) {
                throw new Refused("storage " + entry + " has " + bytes.length + " bytes, expected " + want + " ("
                        + s.numel() + " x " + s.dtype() + ")");
            }
            storages.put(s.key(), ByteBuffer.wrap(bytes).order(order));
        }
        Map<String, Tensor> out = new LinkedHashMap<>();
        boolean ok = false;
        try {
            for (Map.Entry<String, TensorSpec> e : specs.entrySet()) {
                TensorSpec t = e.getValue();
                out.put(e.getKey(), tensor(t, storages.get(t.storage().key())));
            }
            ok = true;
        } finally {
            if (!ok) {
                out.values().forEach(Tensor::close);
            }
        }
        return Collections.unmodifiableMap(out);
    }

    /** The {@code byteorder} entry: absent (little-endian, as PyTorch before 1.10 wrote), "little" or "big". */
    private static ByteOrder byteOrder(Archive zip, String prefix) throws IOException, Refused {
        String name = prefix + "byteorder";
        if (!zip.has(name)) {
            return ByteOrder.LITTLE_ENDIAN;
        }
        String v = new String(zip.read(name, 16), StandardCharsets.US_ASCII).strip();
        switch (v) {
            case "little":
                return ByteOrder.LITTLE_ENDIAN;
            case "big":
                return ByteOrder.BIG_ENDIAN;
            default:
                throw new Refused("its byteorder entry says '" + v.replaceAll("[^\\x20-\\x7e]", "?")
                        + "'; expected 'little' or 'big'");
        }
    }

    /** The storage index of each element of {@code t}, in row-major order. */
    private static int[] indices(TensorSpec t) {
        long numel = 1;
        for (long s : t.size()) {
            numel *= s;
        }
        int[] idx = new int[(int) numel];
        int nd = t.size().length;
        long[] pos = new long[nd];
        long cur = t.offset();
        for (int i = 0; i < idx.length; i++) {
            idx[i] = (int) cur;
            for (int d = nd - 1; d >= 0; d--) { // odometer increment
                if (++pos[d] < t.size()[d]) {
                    cur += t.stride()[d];
                    break;
                }
                cur -= (pos[d] - 1) * t.stride()[d];
                pos[d] = 0;
            }
        }
        return idx;
    }

    private static Tensor tensor(TensorSpec t, ByteBuffer b) {
        int[] idx = indices(t);
        Shape shape = Shape.of(t.size());
        DType dtype = t.storage().dtype();
        int n = idx.length;
        switch (dtype) {
            case FLOAT32: {
                float[] v = new float[n];
                for (int i = 0; i < n; i++) {
                    v[i] = b.getFloat(idx[i] * 4);
                }
                return Tensor.of(v, shape, dtype, Device.CPU);
            }
            case FLOAT64: {
                double[] v = new double[n];
                for (int i = 0; i < n; i++) {
                    v[i] = b.getDouble(idx[i] * 8);
                }
                return Tensor.of(v, shape, dtype, Device.CPU);
            }
            case FLOAT16: { // widening is exact, and so is the narrowing back to float16
                float[] v = new float[n];
                for (int i = 0; i < n; i++) {
                    v[i] = halfToFloat(b.getShort(idx[i] * 2));
                }
                return Tensor.of(v, shape, dtype, Device.CPU);
            }
            case BFLOAT16: { // bfloat16 is the top half of a float32
                float[] v = new float[n];
                for (int i = 0; i < n; i++) {
                    v[i] = Float.intBitsToFloat((b.getShort(idx[i] * 2) & 0xffff) << 16);
                }
                return Tensor.of(v, shape, dtype, Device.CPU);
            }
            case INT64: case INT32: case INT16: case INT8: {
                long[] v = new long[n];
                for (int i = 0; i < n; i++) {
                    v[i] = switch (dtype) {
                        case INT64 -> b.getLong(idx[i] * 8);
                        case INT32 -> b.getInt(idx[i] * 4);
                        case INT16 -> b.getShort(idx[i] * 2);
                        default -> b.get(idx[i]);
                    };
                }
                return Tensor.of(v, shape, dtype, Device.CPU);
            }
            case UINT8: {
                byte[] v = new byte[n];
                for (int i = 0; i < n; i++) {
                    v[i] = b.get(idx[i]);
                }
                return Tensor.ofUnsigned(v, t.size().clone());
            }
            case BOOL: {
                boolean[] v = new boolean[n];
                for (int i = 0; i < n; i++) {
                    v[i] = b.get(idx[i]) != 0;
                }
                return Tensor.of(v, t.size().clone());
            }
            default:
                throw new IllegalStateException("unhandled dtype " + dtype);
        }
    }

    /** IEEE binary16 bits to float (Java 17 has no Float.float16ToFloat). */
    static float halfToFloat(short bits) {
        int h = bits & 0xffff;
        int sign = (h >>> 15) << 31;
        int exp = (h >>> 10) & 0x1f;
        int mant = h & 0x3ff;
        if (exp == 0x1f) { // inf / NaN
            return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
        }
        if (exp == 0) { // zero / subnormal: mant * 2^-24
            float f = mant * 0x1p-24f;
            return sign != 0 ? -f : f;
        }
        return Float.intBitsToFloat(sign | ((exp - 15 + 127) << 23) | (mant << 13));
    }
}
