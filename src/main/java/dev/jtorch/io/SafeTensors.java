package dev.jtorch.io;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jtorch.DType;
import dev.jtorch.internal.NativeRaw;
import dev.jtorch.internal.NativeTensor;
import dev.jtorch.tensor.Tensor;
import dev.jtorch.tensor.TensorScope;
import dev.jtorch.tensor.access.TensorAccess;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Reads and writes the safetensors format (Hugging Face's {@code safetensors}), in pure Java.
 *
 * <pre>{@code
 * SafeTensors.save(model.stateDict(), Path.of("model.safetensors"));
 * try (var scope = TensorScope.open()) {
 *     fresh.loadStateDict(SafeTensors.load(Path.of("model.safetensors")));
 * }
 * }</pre>
 *
 * <p>The file is an 8-byte little-endian header length {@code n}, {@code n} bytes of UTF-8 JSON
 * ({@code {"name": {"dtype": "F32", "shape": [2, 3], "data_offsets": [begin, end]}, ...,
 * "__metadata__": {"key": "value"}}}, padded with spaces to a multiple of 8), then the tensors'
 * raw little-endian bytes, offsets counted from the end of the header. Supported dtypes: F32,
 * F64, F16, BF16, I64, I32, I16, I8, U8, BOOL. Reading is strict, as the reference
 * implementation: the tensors must cover the data area exactly, without overlaps or holes.
 */
public final class SafeTensors {
    /** The reference implementation refuses larger headers (a guard against absurd allocations). */
    static final long MAX_HEADER_BYTES = 100L << 20;
    private static final String METADATA = "__metadata__";
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private SafeTensors() {}

    /**
     * The safetensors dtype names, in the order of the reference implementation's {@code Dtype}
     * enum (which {@link #save} sorts by, largest first, so that every tensor stays aligned).
     */
    private enum Kind {
        BOOL(DType.BOOL), U8(DType.UINT8), I8(DType.INT8), I16(DType.INT16), F16(DType.FLOAT16),
        BF16(DType.BFLOAT16), I32(DType.INT32), F32(DType.FLOAT32), F64(DType.FLOAT64), I64(DType.INT64);

        final DType dtype;

        Kind(DType dtype) {
            this.dtype = dtype;
        }

        static Kind of(DType t) {
            for (Kind k : values()) {
                if (k.dtype == t) {
                    return k;
                }
            }
            throw new IllegalArgumentException("dtype " + t + " has no safetensors name");
        }

        static Kind named(String s) {
            for (Kind k : values()) {
                if (k.name().equals(s)) {
                    return k;
                }
            }
            return null;
        }
    }

    // ================================================================ save

    /**
     * Writes {@code tensors} to {@code file} atomically (see {@link AtomicFiles}), without metadata.
     *
     * @throws IllegalArgumentException if a name is null, empty or {@code __metadata__}, or a
     *     tensor is null
     * @throws IllegalStateException if a tensor is closed
     * @throws IOException if the file cannot be written; a previous file stays intact
     */
    public static void save(Map<String, Tensor> tensors, Path file) throws IOException {
        save(tensors, Map.of(), file);
    }

    /**
     * Writes {@code tensors} and {@code metadata} (the header's {@code __metadata__}, e.g.
     * {@code {"format": "pt"}}) to {@code file} atomically. Tensors are written as CPU copies on
     * any device, ordered as the reference implementation orders them: by dtype, widest first,
     * then by name.
     *
     * @throws IllegalArgumentException if a name is null, empty or {@code __metadata__}, or a
     *     tensor or metadata entry is null
     * @throws IllegalStateException if a tensor is closed
     * @throws IOException if the file cannot be written; a previous file stays intact
     */
    public static void save(Map<String, Tensor> tensors, Map<String, String> metadata, Path file) throws IOException {
        Objects.requireNonNull(tensors, "tensors");
        Objects.requireNonNull(metadata, "metadata");
        Objects.requireNonNull(file, "file");
        record Entry(String name, Kind kind, long[] shape, byte[] data) {}
        List<Entry> entries = new ArrayList<>();
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            String name = e.getKey();
            if (name == null || name.isEmpty() || name.equals(METADATA)) {
                throw new IllegalArgumentException("safetensors names must be non-empty and not " + METADATA
                        + ", got " + (name == null ? "null" : "'" + name + "'"));
            }
            if (e.getValue() == null) {
                throw new IllegalArgumentException("tensor '" + name + "' is null");
            }
            NativeTensor h = TensorAccess.handle(e.getValue());
            Kind kind = Kind.of(h.dtype());
            byte[] data = NativeRaw.toBytes(h);
            toLittleEndian(data, kind.dtype.byteSize());
            entries.add(new Entry(name, kind, h.shape(), data));
        }
        entries.sort(Comparator.comparing((Entry en) -> en.kind()).reversed().thenComparing(Entry::name));
        ObjectNode header = JSON.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode m = header.putObject(METADATA);
            metadata.forEach((k, v) -> {
                if (k == null || v == null) {
                    throw new IllegalArgumentException("metadata keys and values must not be null");
                }
                m.put(k, v);
            });
        }
        long offset = 0;
        for (Entry en : entries) {
            ObjectNode t = header.putObject(en.name());
            t.put("dtype", en.kind().name());
            ArrayNode shape = t.putArray("shape");
            for (long s : en.shape()) {
                shape.add(s);
            }
            t.putArray("data_offsets").add(offset).add(offset + en.data().length);
            offset += en.data().length;
        }
        byte[] json = JSON.writeValueAsBytes(header);
        int padded = (json.length + 7) / 8 * 8; // the data then starts 8-byte aligned
        byte[] head = new byte[8 + padded];
        ByteBuffer.wrap(head).order(ByteOrder.LITTLE_ENDIAN).putLong(padded);
        System.arraycopy(json, 0, head, 8, json.length);
        java.util.Arrays.fill(head, 8 + json.length, head.length, (byte) ' ');
        AtomicFiles.write(file, out -> {
            out.write(head);
            for (Entry en : entries) {
                out.write(en.data());
            }
        });
    }

    // ================================================================ load

    /** One tensor's header entry. */
    private record Spec(String name, Kind kind, long[] shape, long begin, long end) {}

    /** A parsed header: the tensors in header order, the metadata, where the data starts. */
    private record Header(List<Spec> specs, Map<String, String> metadata, long dataStart, long dataLength) {}

    /**
     * The tensors in {@code file}, in header order, as CPU tensors owned by the current scope.
     *
     * @throws IllegalStateException if no scope is open
     * @throws NoSuchFileException if the file does not exist
     * @throws ModelFileException naming the file (and the tensor) if it is not a valid
     *     safetensors file: header length beyond the file, bad JSON, an unknown dtype, a size that
     *     does not match dtype and shape, overlapping, out-of-range or missing data
     * @throws IOException if reading fails
     */
    public static Map<String, Tensor> load(Path file) throws IOException {
        Objects.requireNonNull(file, "file");
        if (!TensorScope.isOpen()) {
            throw new IllegalStateException("SafeTensors.load(" + file + "): no TensorScope is open on thread "
                    + Thread.currentThread().getName() + "; the loaded tensors belong to the current scope."
                    + " Wrap the call in try (TensorScope s = TensorScope.open()) { ... }");
        }
        ModelFiles.requireRegularFile(file, "safetensors file");
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            Header h = readHeader(ch, file);
            Map<String, Tensor> out = new LinkedHashMap<>();
            for (Spec s : h.specs()) {
                int n = (int) (s.end() - s.begin());
                byte[] data = new byte[n];
                readFully(ch, ByteBuffer.wrap(data), h.dataStart() + s.begin(), file);
                toLittleEndian(data, s.kind().dtype.byteSize()); // the swap is its own inverse
                NativeTensor t = NativeRaw.fromBytes(data, s.shape(), s.kind().dtype);
                out.put(s.name(), TensorAccess.scoped(t, "SafeTensors.load"));
            }
            return Collections.unmodifiableMap(out);
        }
    }

    /**
     * The {@code __metadata__} of {@code file} (empty when it has none); reads only the header.
     *
     * @throws ModelFileException naming the file if it is not a valid safetensors file
     * @throws IOException if reading fails
     */
    public static Map<String, String> metadata(Path file) throws IOException {
        Objects.requireNonNull(file, "file");
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            return readHeader(ch, file).metadata();
        }
    }

    private static Header readHeader(FileChannel ch, Path file) throws IOException {
        long size = ch.size();
        if (size < 8) {
            throw new ModelFileException(file, "is not a safetensors file: " + size
                    + " bytes, too short for the 8-byte header length");
        }
        ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        readFully(ch, len, 0, file);
        long n = len.getLong(0);
        if (n < 2 || n > size - 8) {
            throw new ModelFileException(file, "is not a valid safetensors file: header length " + Long.toUnsignedString(n)
                    + " goes beyond the file (" + size + " bytes)");
        }
        if (n > MAX_HEADER_BYTES) {
            throw new ModelFileException(file, "safetensors header of " + n + " bytes is larger than the "
                    + MAX_HEADER_BYTES + " bytes allowed");
        }
        byte[] json = new byte[(int) n];
        readFully(ch, ByteBuffer.wrap(json), 8, file);
        if (json[0] != '{') {
            throw new ModelFileException(file, "is not a valid safetensors file: the header does not start with '{'");
        }
        JsonNode root;
        try {
            root = JSON.readTree(new String(json, StandardCharsets.UTF_8));
        } catch (JsonProcessingException e) {
            throw new ModelFileException(file, "has a safetensors header that is not valid JSON: "
                    + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new ModelFileException(file, "has a safetensors header that is not a JSON object");
        }
        long dataLength = size - 8 - n;
        Map<String, String> metadata = new LinkedHashMap<>();
        List<Spec> specs = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String name = e.getKey();
            JsonNode v = e.getValue();
            if (name.equals(METADATA)) {
                if (!v.isObject()) {
                    throw new ModelFileException(file, METADATA + " must be an object of string -> string");
                }
                for (Iterator<Map.Entry<String, JsonNode>> m = v.fields(); m.hasNext(); ) {
                    Map.Entry<String, JsonNode> kv = m.next();
                    if (!kv.getValue().isTextual()) {
                        throw new ModelFileException(file, METADATA + "." + kv.getKey() + " must be a string, got "
                                + kv.getValue());
                    }
                    metadata.put(kv.getKey(), kv.getValue().asText());
                }
                continue;
            }
            specs.add(spec(file, name, v, dataLength));
        }
        // the tensors must tile the data area: sorted by offset, each starts where the last ended
        List<Spec> byOffset = new ArrayList<>(specs);
        byOffset.sort(Comparator.comparingLong(Spec::begin).thenComparingLong(Spec::end));
        long at = 0;
        Spec prev = null;
        for (Spec s : byOffset) {
            if (s.begin() < at) {
                throw new ModelFileException(file, "tensor '" + s.name() + "' (bytes " + s.begin() + ".." + s.end()
                        + ") overlaps tensor '" + prev.name() + "' (bytes " + prev.begin() + ".." + prev.end() + ")");
            }
            if (s.begin() > at) {
                throw new ModelFileException(file, "bytes " + at + ".." + s.begin() + " of the data belong to no tensor"
                        + " (before tensor '" + s.name() + "')");
            }
            at = s.end();
            prev = s;
        }
        if (at != dataLength) {
            throw new ModelFileException(file, "the tensors cover " + at + " bytes of data but the file holds "
                    + dataLength + " after the header");
        }
        return new Header(List.copyOf(specs), Collections.unmodifiableMap(metadata), 8 + n, dataLength);
    }

    private static Spec spec(Path file, String name, JsonNode v, long dataLength) throws ModelFileException {
        String where = "tensor '" + name + "'";
        if (!v.isObject()) {
            throw new ModelFileException(file, where + ": expected {dtype, shape, data_offsets}, got " + v);
        }
        JsonNode dt = v.get("dtype");
        JsonNode sh = v.get("shape");
        JsonNode off = v.get("data_offsets");
        if (dt == null || sh == null || off == null) {
            throw new ModelFileException(file, where + ": missing " + (dt == null ? "dtype" : sh == null ? "shape"
                    : "data_offsets"));
        }
        Kind kind = dt.isTextual() ? Kind.named(dt.asText()) : null;
        if (kind == null) {
            throw new ModelFileException(file, where + ": unknown dtype " + dt + " (supported: "
                    + java.util.Arrays.toString(Kind.values()) + ")");
        }
        if (!sh.isArray()) {
            throw new ModelFileException(file, where + ": shape must be an array of sizes, got " + sh);
        }
        long[] shape = new long[sh.size()];
        long numel = 1;
        for (int i = 0; i < shape.length; i++) {
            JsonNode d = sh.get(i);
            if (!d.isIntegralNumber() || !d.canConvertToLong() || d.asLong() < 0) {
                throw new ModelFileException(file, where + ": shape " + sh + " must hold non-negative integers");
            }
            shape[i] = d.asLong();
            try {
                numel = Math.multiplyExact(numel, shape[i]);
            } catch (ArithmeticException e) {
                throw new ModelFileException(file, where + ": shape " + sh + " is too large");
            }
        }
        if (!off.isArray() || off.size() != 2 || !off.get(0).isIntegralNumber() || !off.get(1).isIntegralNumber()
                || !off.get(0).canConvertToLong() || !off.get(1).canConvertToLong()) {
            throw new ModelFileException(file, where + ": data_offsets must be [begin, end], got " + off);
        }
        long begin = off.get(0).asLong();
        long end = off.get(1).asLong();
        if (begin < 0 || end < begin || end > dataLength) {
            throw new ModelFileException(file, where + ": data_offsets [" + begin + ", " + end
                    + "] are out of range (the data is " + dataLength + " bytes)");
        }
        long expected;
        try {
            expected = Math.multiplyExact(numel, (long) kind.dtype.byteSize());
        } catch (ArithmeticException e) {
            throw new ModelFileException(file, where + ": shape " + sh + " is too large");
        }
        if (end - begin != expected) {
            throw new ModelFileException(file, where + ": " + (end - begin) + " bytes of data, but " + kind + " "
                    + sh + " needs " + expected);
        }
        if (expected > Integer.MAX_VALUE - 16) {
            throw new ModelFileException(file, where + ": " + expected + " bytes; tensors over 2 GiB are not supported");
        }
        return new Spec(name, kind, shape, begin, end);
    }

    private static void readFully(FileChannel ch, ByteBuffer into, long position, Path file) throws IOException {
        long pos = position;
        while (into.hasRemaining()) {
            int r = ch.read(into, pos);
            if (r < 0) {
                throw new ModelFileException(file, "ends early", new EOFException());
            }
            pos += r;
        }
    }

    /** Native order <-> little-endian, in place (nothing to do on little-endian platforms). */
    private static void toLittleEndian(byte[] data, int width) {
        if (width == 1 || ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN) {
            return;
        }
        for (int i = 0; i + width <= data.length; i += width) {
            for (int a = i, b = i + width - 1; a < b; a++, b--) {
                byte t = data[a];
                data[a] = data[b];
                data[b] = t;
            }
        }
    }
}
