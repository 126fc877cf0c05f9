package dev.jtorch.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jtorch.DType;
import dev.jtorch.Device;
import dev.jtorch.autograd.NoGrad;
import dev.jtorch.io.IoTestSupport.SimpleNN;
import dev.jtorch.nn.functional.F;
import dev.jtorch.tensor.Shape;
import dev.jtorch.tensor.Tensor;
import dev.jtorch.tensor.TensorScope;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.extension.ExtendWith;
import dev.jtorch.NoLeaks;

/**
 * Safetensors: Java round trips of every dtype, the header layout of the reference
 * implementation, files written by Python (scripts/fixtures_torchscript.py), and a clear error
 * naming the file for each kind of malformed file.
 */
@ExtendWith(NoLeaks.class)
class SafeTensorsTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    static Path resource(Path dir, String name) throws IOException {
        Path target = dir.resolve(name);
        try (InputStream in = SafeTensorsTest.class.getResourceAsStream("/torchscript/" + name)) {
            if (in == null) {
                throw new IOException("missing test resource torchscript/" + name);
            }
            Files.copy(in, target);
        }
        return target;
    }

    static JsonNode expected() throws IOException {
        try (InputStream in = SafeTensorsTest.class.getResourceAsStream("/torchscript/expected.json")) {
            return JSON.readTree(in);
        }
    }

    private static void assertSameTensor(String key, Tensor want, Tensor got) {
        assertEquals(want.dtype(), got.dtype(), key + " dtype");
        assertEquals(want.shape(), got.shape(), key + " shape");
        assertEquals(Device.CPU, got.device(), key + " device");
        if (want.dtype().isFloatingPoint()) {
            assertArrayEquals(want.to(DType.FLOAT64).toDoubleArray(), got.to(DType.FLOAT64).toDoubleArray(), key);
        } else {
            assertArrayEquals(want.to(DType.INT64).toLongArray(), got.to(DType.INT64).toLongArray(), key);
        }
    }

    @Test
    void roundTripEveryDtypeShapeAndMetadata() throws IOException {
        try (TensorScope s = TensorScope.open()) {
            Map<String, Tensor> sd = new LinkedHashMap<>();
            sd.put("f32", Tensor.randn(Shape.of(3, 4), DType.FLOAT32, Device.CPU));
            sd.put("f64", Tensor.of(new double[] {Math.PI, -1e-300, Double.MAX_VALUE}, 3));
            sd.put("f16", Tensor.of(new float[] {0.5f, -1.25f, 65504f, 6e-5f}, Shape.of(2, 2), DType.FLOAT16, Device.CPU));
            sd.put("bf16", Tensor.of(new float[] {1f, -3.5f, 1e20f}, Shape.of(3), DType.BFLOAT16, Device.CPU));
            sd.put("i64", Tensor.of(new long[] {Long.MAX_VALUE, Long.MIN_VALUE, 0, 42}, 2, 2));
            sd.put("i32", Tensor.of(new long[] {Integer.MIN_VALUE, Integer.MAX_VALUE}, Shape.of(2), DType.INT32, Device.CPU));
            sd.put("i16", Tensor.of(new long[] {-32768, 32767, -1}, Shape.of(3), DType.INT16, Device.CPU));
            sd.put("i8", Tensor.of(new long[] {-128, 127, 0}, Shape.of(3), DType.INT8, Device.CPU));
            sd.put("u8", Tensor.ofUnsigned(new byte[] {0, (byte) 255, (byte) 128}, 3));
            sd.put("bool", Tensor.of(new boolean[] {true, false, true, true}, 2, 2));
            sd.put("scalar", Tensor.scalar(3.25));
            sd.put("empty", Tensor.zeros(Shape.of(0, 3), DType.FLOAT32, Device.CPU));
            sd.put("view.transposed", Tensor.randn(Shape.of(2, 5), DType.FLOAT32, Device.CPU).transpose(0, 1));
            Path file = dir.resolve("all.safetensors");
            SafeTensors.save(sd, Map.of("format", "pt", "note", "ü"), file);
            Map<String, Tensor> back = SafeTensors.load(file);
            assertEquals(sd.keySet().stream().sorted().toList(), back.keySet().stream().sorted().toList());
            for (String k : sd.keySet()) {
                assertSameTensor(k, sd.get(k), back.get(k));
            }
            assertEquals(Map.of("format", "pt", "note", "ü"), SafeTensors.metadata(file));
            assertEquals(ModelKind.SAFETENSORS, ModelFiles.detect(file));
        }
    }

    @Test
    void headerIsPaddedAndOrderedAsTheReferenceImplementation() throws IOException {
        try (TensorScope s = TensorScope.open()) {
            Map<String, Tensor> sd = new LinkedHashMap<>();
            sd.put("b", Tensor.zeros(Shape.of(1), DType.FLOAT32, Device.CPU));
            sd.put("a", Tensor.zeros(Shape.of(1), DType.FLOAT32, Device.CPU));
            sd.put("mask", Tensor.of(new boolean[] {true}, 1));
            sd.put("count", Tensor.of(new long[] {1}, 1));
            sd.put("half", Tensor.zeros(Shape.of(3), DType.FLOAT16, Device.CPU));
            Path file = dir.resolve("order.safetensors");
            SafeTensors.save(sd, Map.of("format", "pt"), file);
            byte[] bytes = Files.readAllBytes(file);
            long n = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
            assertEquals(0, n % 8, "header padded to a multiple of 8");
            String header = new String(bytes, 8, (int) n, StandardCharsets.UTF_8);
            assertTrue(header.startsWith("{"), header);
            assertTrue(header.stripTrailing().endsWith("}"), "padding is spaces: " + header);
            List<String> keys = new ArrayList<>();
            for (Iterator<String> it = JSON.readTree(header).fieldNames(); it.hasNext(); ) {
                keys.add(it.next());
            }
            // widest dtype first (I64 > F32 > F16 > BOOL), then by name; offsets follow that order
            assertEquals(List.of("__metadata__", "count", "a", "b", "half", "mask"), keys);
            JsonNode h = JSON.readTree(header);
            assertEquals("[0,8]", h.get("count").get("data_offsets").toString());
            assertEquals("[8,12]", h.get("a").get("data_offsets").toString());
            assertEquals("[22,23]", h.get("mask").get("data_offsets").toString());
            assertEquals(8 + n + 23, bytes.length);
        }
    }

    @Test
    void readsPythonFileOfEveryDtype() throws IOException {
        JsonNode want = expected().get("dtypes");
        Path file = resource(dir, "dtypes.safetensors");
        assertEquals(ModelKind.SAFETENSORS, ModelFiles.detect(file));
        try (TensorScope s = TensorScope.open()) {
            Map<String, Tensor> got = SafeTensors.load(file);
            assertEquals(want.size(), got.size());
            for (Iterator<Map.Entry<String, JsonNode>> it = want.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                Tensor t = got.get(e.getKey());
                JsonNode w = e.getValue();
                String dt = w.get("dtype").asText();
                assertEquals(Map.of("F32", DType.FLOAT32, "F64", DType.FLOAT64, "F16", DType.FLOAT16, "BF16",
                        DType.BFLOAT16, "I64", DType.INT64, "I32", DType.INT32, "I16", DType.INT16, "I8", DType.INT8,
                        "U8", DType.UINT8, "BOOL", DType.BOOL).get(dt), t.dtype(), e.getKey());
                long[] shape = new long[w.get("shape").size()];
                for (int i = 0; i < shape.length; i++) {
                    shape[i] = w.get("shape").get(i).asLong();
                }
                assertEquals(Shape.of(shape), t.shape(), e.getKey());
                JsonNode vals = w.get("values");
                if (t.dtype() == DType.BOOL) {
                    boolean[] b = t.toBooleanArray();
                    for (int i = 0; i < b.length; i++) {
                        assertEquals(vals.get(i).asBoolean(), b[i], e.getKey());
                    }
                } else if (t.dtype().isFloatingPoint()) {
                    double[] d = t.to(DType.FLOAT64).toDoubleArray();
                    assertEquals(vals.size(), d.length);
                    for (int i = 0; i < d.length; i++) {
                        JsonNode v = vals.get(i);
                        double x = v.isTextual() ? Double.parseDouble(v.asText().replace("inf", "Infinity")) : v.asDouble();
                        assertEquals(Double.doubleToLongBits(x), Double.doubleToLongBits(d[i]), e.getKey() + "[" + i + "]");
                    }
                } else {
                    long[] l = t.to(DType.INT64).toLongArray();
                    for (int i = 0; i < l.length; i++) {
                        assertEquals(vals.get(i).asLong(), l[i], e.getKey() + "[" + i + "]");
                    }
                }
            }
        }
    }

    @Test
    void pythonWeightsGiveTheSameProbabilitiesAsPyTorch() throws IOException {
        JsonNode want = expected();
        Path file = resource(dir, "simple.safetensors");
        assertEquals(Map.of("format", "pt", "source", "fixtures_torchscript.py"), SafeTensors.metadata(file));
        try (SimpleNN m = new SimpleNN(); NoGrad g = NoGrad.enter(); TensorScope s = TensorScope.open()) {
            m.loadStateDict(SafeTensors.load(file));
            m.eval();
            double[] p = F.softmax(m.forward(TorchScriptTest.pixels(want)).to(DType.FLOAT64), 1).toDoubleArray();
            TorchScriptTest.assertProbabilities(want, p);
        }
    }

    @Test
    void refusesToLoadWithoutAScope() throws IOException {
        Path file = resource(dir, "dtypes.safetensors");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> SafeTensors.load(file));
        assertTrue(e.getMessage().contains("TensorScope"), e.getMessage());
    }

    // ---------------------------------------------------------------- malformed files

    /** A file with {@code header} (padded) as its JSON, declaring {@code declared} bytes (or the real length). */
    private Path file(String name, String header, int dataBytes, Long declared) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(declared == null ? h.length : declared).put(h);
        return Files.write(dir.resolve(name), b.array());
    }

    private void assertRefused(Path file, String... fragments) {
        ModelFileException e;
        try (TensorScope s = TensorScope.open()) {
            e = assertThrows(ModelFileException.class, () -> SafeTensors.load(file));
        }
        assertEquals(file, e.file());
        assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "'" + f + "' missing from: " + e.getMessage());
        }
    }

    private static final String OK = "{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}";

    @Test
    void wellFormedHandMadeFileLoads() throws IOException {
        Path f = file("ok.safetensors", OK, 8, null);
        try (TensorScope s = TensorScope.open()) {
            assertArrayEquals(new float[] {0f, 0f}, SafeTensors.load(f).get("w").toFloatArray());
        }
    }

    @Test
    void eachMalformedFileGetsAClearError() throws IOException {
        assertRefused(Files.write(dir.resolve("short.safetensors"), new byte[] {1, 0, 0}), "too short");
        assertRefused(file("beyond.safetensors", OK, 8, 10_000L), "header length 10000 goes beyond the file");
        assertRefused(file("negative.safetensors", OK, 8, -5L), "goes beyond the file");
        assertRefused(file("json.safetensors", "{\"w\":{\"dtype\":\"F32\",", 0, null), "not valid JSON");
        assertRefused(file("notobj.safetensors", "[1,2]", 0, null), "does not start with '{'");
        assertRefused(file("dup.safetensors", "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                + "\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8, null), "not valid JSON", "w");
        assertRefused(file("dtype.safetensors", OK.replace("F32", "F8_E4M3"), 8, null), "tensor 'w'",
                "unknown dtype \"F8_E4M3\"", "BF16");
        assertRefused(file("size.safetensors", OK.replace("[2]", "[3]"), 8, null), "tensor 'w'", "8 bytes of data",
                "needs 12");
        assertRefused(file("range.safetensors", OK.replace("[0,8]", "[4,12]").replace("[2]", "[2]"), 8, null),
                "tensor 'w'", "out of range");
        assertRefused(file("reversed.safetensors", OK.replace("[0,8]", "[8,0]"), 8, null), "out of range");
        assertRefused(file("overlap.safetensors", "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12, null), "overlaps", "'a'", "'b'");
        assertRefused(file("hole.safetensors", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8,
                null), "bytes 0..4", "belong to no tensor");
        assertRefused(file("trailing.safetensors", OK, 12, null), "cover 8 bytes", "holds 12");
        assertRefused(file("truncated.safetensors", OK, 4, null), "out of range");
        assertRefused(file("shape.safetensors", OK.replace("[2]", "[-2]"), 8, null), "non-negative");
        assertRefused(file("meta.safetensors", "{\"__metadata__\":{\"a\":1}}", 0, null), "__metadata__.a");
        assertRefused(file("fields.safetensors", "{\"w\":{\"dtype\":\"F32\",\"shape\":[2]}}", 8, null),
                "missing data_offsets");
    }

    @Test
    void detectionByContent() throws IOException {
        assertEquals(ModelKind.SAFETENSORS, ModelFiles.detect(file("a.bin", OK, 8, null)));
        // a truncated file is still recognised, so that loading it says what is wrong
        assertEquals(ModelKind.SAFETENSORS, ModelFiles.detect(file("t.pt", OK, 0, 10_000L)));
        assertEquals(ModelKind.UNKNOWN, ModelFiles.detect(file("huge.safetensors", OK, 8, 1L << 40)));
        assertEquals(ModelKind.UNKNOWN, ModelFiles.detect(Files.writeString(dir.resolve("text"), "hello world {}")));
    }

    @Test
    void saveRefusesBadNamesAndLeavesNoFile() throws IOException {
        try (TensorScope s = TensorScope.open()) {
            Path f = dir.resolve("bad.safetensors");
            Map<String, Tensor> sd = new LinkedHashMap<>();
            sd.put("__metadata__", Tensor.scalar(1));
            assertThrows(IllegalArgumentException.class, () -> SafeTensors.save(sd, f));
            assertTrue(Files.notExists(f));
            try (var files = Files.list(dir)) {
                assertEquals(0, files.count(), "no temp file left");
            }
        }
    }
}
