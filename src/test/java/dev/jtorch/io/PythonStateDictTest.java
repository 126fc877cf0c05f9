package dev.jtorch.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jtorch.DType;
import dev.jtorch.Device;
import dev.jtorch.autograd.NoGrad;
import dev.jtorch.models.Architecture;
import dev.jtorch.nn.LoadResult;
import dev.jtorch.nn.Module;
import dev.jtorch.nn.StateDictException;
import dev.jtorch.nn.functional.F;
import dev.jtorch.tensor.Shape;
import dev.jtorch.tensor.Tensor;
import dev.jtorch.tensor.TensorScope;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.extension.ExtendWith;
import dev.jtorch.NoLeaks;

/**
 * State dicts saved by Python's {@code torch.save(model.state_dict(), f)} (fixtures of
 * scripts/fixtures_python_models.py, PyTorch 1.13): jtorch's models compute PyTorch's
 * probabilities from them, mismatches are reported as PyTorch does, and anything but tensors (a
 * pickled {@code os.system}, a custom class, the legacy format, a truncated zip) is refused with
 * one clear message. Also the pickle reader itself on hand-made opcode streams.
 */
@ExtendWith(NoLeaks.class)
class PythonStateDictTest {
    private static final double TOLERANCE = 1e-5;

    @TempDir
    Path dir;

    private Path fixture(String name) throws IOException {
        Path target = dir.resolve(name);
        try (InputStream in = getClass().getResourceAsStream("/python/" + name)) {
            if (in == null) {
                throw new IOException("missing test resource python/" + name + " (run scripts/fixtures_python_models.py)");
            }
            Files.copy(in, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        return target;
    }

    private static JsonNode json(String name) throws IOException {
        try (InputStream in = PythonStateDictTest.class.getResourceAsStream("/python/" + name)) {
            return new ObjectMapper().readTree(in);
        }
    }

    /** Loads {@code file} into a new {@code arch} model and checks its softmax against PyTorch's. */
    private void assertPredictsLikePyTorch(Architecture arch, String file, String expectedKey) throws IOException {
        JsonNode want = json("expected.json");
        JsonNode pixels = want.get("pixels");
        float[] x = new float[pixels.size() * 784];
        for (int i = 0; i < pixels.size(); i++) {
            for (int j = 0; j < 784; j++) {
                x[i * 784 + j] = (float) (pixels.get(i).get(j).asInt() / 255.0);
            }
        }
        try (Module model = arch.create(); TensorScope s = TensorScope.open()) {
            Map<String, Tensor> sd = StateDicts.load(fixture(file));
            assertEquals(new ArrayList<>(model.stateDict().keySet()), new ArrayList<>(sd.keySet()), "keys in file order");
            LoadResult r = model.loadStateDict(sd);
            assertTrue(r.missingKeys().isEmpty() && r.unexpectedKeys().isEmpty(), r.toString());
            model.eval();
            float[] got;
            try (NoGrad g = NoGrad.enter()) {
                got = F.softmax(model.forward(Tensor.of(x, pixels.size(), 1, 28, 28)), 1).toFloatArray();
            }
            JsonNode probs = want.get(expectedKey);
            for (int i = 0; i < probs.size(); i++) {
                for (int c = 0; c < 10; c++) {
                    double p = probs.get(i).get(c).asDouble();
                    assertEquals(p, got[i * 10 + c], TOLERANCE, file + ": image " + i + " class " + c);
                }
            }
        }
    }

    @Test
    void simpleNnSavedByPythonPredictsLikePyTorch() throws IOException {
        assertPredictsLikePyTorch(Architecture.MLP, "simple_nn.pt", "simple_nn");
    }

    @Test
    void cnnSavedAsFloat16ByPythonPredictsLikePyTorch() throws IOException {
        try (TensorScope s = TensorScope.open()) {
            Map<String, Tensor> sd = StateDicts.load(fixture("cnn_fp16.pt"));
            assertEquals(List.of("conv1.weight", "conv1.bias", "conv2.weight", "conv2.bias", "fc1.weight", "fc1.bias",
                    "fc2.weight", "fc2.bias"), new ArrayList<>(sd.keySet()));
            for (Tensor t : sd.values()) {
                assertEquals(DType.FLOAT16, t.dtype());
            }
            assertEquals(Shape.of(32, 1, 3, 3), sd.get("conv1.weight").shape());
            assertEquals(Shape.of(128, 1600), sd.get("fc1.weight").shape());
        }
        assertPredictsLikePyTorch(Architecture.CNN, "cnn_fp16.pt", "cnn");
    }

    @Test
    void float64FileLoadsIntoFloat32Model() throws IOException {
        try (TensorScope s = TensorScope.open()) {
            Map<String, Tensor> sd = StateDicts.load(fixture("simple_nn_float64.pt"));
            assertEquals(DType.FLOAT64, sd.get("fc1.weight").dtype());
            try (Module model = Architecture.MLP.create()) {
                model.loadStateDict(sd);
                assertEquals(DType.FLOAT32, model.stateDict().get("fc1.weight").dtype());
                float[] want = sd.get("fc2.weight").to(DType.FLOAT32).toFloatArray();
                assertArrayEquals(want, model.stateDict().get("fc2.weight").toFloatArray());
            }
        }
        assertPredictsLikePyTorch(Architecture.MLP, "simple_nn_float64.pt", "simple_nn");
    }

    @Test
    void viewsAndEveryDtypeAreReadAsContiguousCopies() throws IOException {
        JsonNode want = json("views.json");
        try (TensorScope s = TensorScope.open()) {
            Map<String, Tensor> sd = StateDicts.load(fixture("views.pt"));
            List<String> names = new ArrayList<>();
            want.fieldNames().forEachRemaining(names::add);
            assertEquals(names, new ArrayList<>(sd.keySet()));
            for (String k : names) {
                Tensor t = sd.get(k);
                JsonNode w = want.get(k);
                assertEquals(w.get("dtype").asText(), t.dtype().toString(), k + " dtype");
                long[] shape = new long[w.get("shape").size()];
                for (int i = 0; i < shape.length; i++) {
                    shape[i] = w.get("shape").get(i).asLong();
                }
                assertEquals(Shape.of(shape), t.shape(), k + " shape");
                assertEquals(Device.CPU, t.device());
                assertFalse(t.requiresGrad(), k);
                double[] values = new double[w.get("values").size()];
                for (int i = 0; i < values.length; i++) {
                    values[i] = w.get("values").get(i).asDouble();
                }
                assertArrayEquals(values, t.to(DType.FLOAT64).toDoubleArray(), k + " values");
            }
        }
    }

    @Test
    void mismatchesAreReportedLikePyTorchWhenStrict() throws IOException {
        try (Module model = Architecture.MLP.create(); TensorScope s = TensorScope.open()) {
            StateDictException wrong = assertThrows(StateDictException.class,
                    () -> model.loadStateDict(StateDicts.load(fixture("wrong_shape.pt"))));
            assertEquals(List.of("fc1.weight: expected [128, 784], got [784, 64]"), wrong.shapeMismatches());
            assertTrue(wrong.getMessage().contains("fc1.weight: expected [128, 784], got [784, 64]"), wrong.getMessage());

            StateDictException missing = assertThrows(StateDictException.class,
                    () -> model.loadStateDict(StateDicts.load(fixture("missing_key.pt"))));
            assertEquals(List.of("fc2.bias"), missing.missingKeys());
            assertTrue(missing.getMessage().contains("missing keys [fc2.bias]"), missing.getMessage());

            StateDictException extra = assertThrows(StateDictException.class,
                    () -> model.loadStateDict(StateDicts.load(fixture("extra_key.pt"))));
            assertEquals(List.of("fc3.weight"), extra.unexpectedKeys());
            assertTrue(extra.getMessage().contains("unexpected keys [fc3.weight]"), extra.getMessage());
        }
    }

    @Test
    void nonStrictLoadingReportsMissingAndUnexpectedKeys() throws IOException {
        try (Module model = Architecture.MLP.create(); TensorScope s = TensorScope.open()) {
            float[] biasBefore = model.stateDict().get("fc2.bias").toFloatArray();
            LoadResult missing = model.loadStateDict(StateDicts.load(fixture("missing_key.pt")), false);
            assertEquals(List.of("fc2.bias"), missing.missingKeys());
            assertEquals(List.of(), missing.unexpectedKeys());
            assertArrayEquals(new float[128 * 784], model.stateDict().get("fc1.weight").toFloatArray(), "loaded keys");
            assertArrayEquals(biasBefore, model.stateDict().get("fc2.bias").toFloatArray(), "missing key untouched");

            LoadResult extra = model.loadStateDict(StateDicts.load(fixture("extra_key.pt")), false);
            assertEquals(List.of(), extra.missingKeys());
            assertEquals(List.of("fc3.weight"), extra.unexpectedKeys());

            // a shape mismatch is an error even when not strict, as in PyTorch
            assertThrows(StateDictException.class,
                    () -> model.loadStateDict(StateDicts.load(fixture("wrong_shape.pt")), false));
        }
    }

    @Test
    void pythonFilesAreDetectedAsStateDicts() throws IOException {
        for (String f : List.of("simple_nn.pt", "cnn_fp16.pt", "simple_nn_float64.pt", "views.pt")) {
            assertEquals(ModelKind.STATE_DICT, ModelFiles.detect(fixture(f)), f);
        }
        assertEquals(ModelKind.UNKNOWN, ModelFiles.detect(fixture("legacy.pt")));
    }

    private ModelFileException refused(Path file) {
        try (TensorScope s = TensorScope.open()) {
            ModelFileException e = assertThrows(ModelFileException.class, () -> StateDicts.load(file));
            assertEquals(file, e.file());
            assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
            assertEquals(0, s.size(), "nothing is allocated for a refused file");
            return e;
        }
    }

    @Test
    void foreignGlobalsAreRefusedNeverExecuted() throws IOException {
        Path marker = dir.resolve("pwned");
        ModelFileException system = refused(fixture("foreign_global.pt"));
        assertTrue(system.getMessage().contains("'posix.system'"), system.getMessage());
        assertTrue(system.getMessage().contains("not allowed"), system.getMessage());
        assertFalse(Files.exists(marker));

        ModelFileException custom = refused(fixture("custom_class.pt"));
        assertTrue(custom.getMessage().contains("'__main__.Custom'"), custom.getMessage());
    }

    @Test
    void legacyFormatIsRefusedWithAnExplanation() throws IOException {
        ModelFileException e = refused(fixture("legacy.pt"));
        assertTrue(e.getMessage().contains("legacy"), e.getMessage());
        assertTrue(e.getMessage().contains("PyTorch 1.6"), e.getMessage());
    }

    @Test
    void truncatedOrCorruptZipsAreRefused() throws IOException {
        byte[] full = Files.readAllBytes(fixture("simple_nn.pt"));
        Path half = Files.write(dir.resolve("half.pt"), java.util.Arrays.copyOf(full, full.length / 2));
        ModelFileException e = refused(half);
        assertTrue(e.getMessage().contains("truncated or corrupt"), e.getMessage());

        // a zip whose storage is shorter than the pickle says
        byte[] pkl = PickleBytes.tensorDictPickle("w", "FloatStorage", 6, 0, new long[] {2, 3}, new long[] {3, 1});
        Path shortData = IoTestSupport.zip(dir.resolve("short.pt"), Map.of("a/data.pkl", pkl, "a/data/0", new byte[20]));
        ModelFileException e2 = refused(shortData);
        assertTrue(e2.getMessage().contains("'w'") && e2.getMessage().contains("expected 24"), e2.getMessage());

        // a view that reaches past its storage
        byte[] past = PickleBytes.tensorDictPickle("w", "FloatStorage", 6, 1, new long[] {2, 3}, new long[] {3, 1});
        Path pastData = IoTestSupport.zip(dir.resolve("past.pt"), Map.of("a/data.pkl", past, "a/data/0", new byte[24]));
        ModelFileException e3 = refused(pastData);
        assertTrue(e3.getMessage().contains("'w'") && e3.getMessage().contains("past its storage"), e3.getMessage());

        // a missing storage entry
        Path noData = IoTestSupport.zip(dir.resolve("nodata.pt"), Map.of("a/data.pkl", pkl));
        ModelFileException e4 = refused(noData);
        assertTrue(e4.getMessage().contains("a/data/0 is missing"), e4.getMessage());
    }

    @Test
    void handMadeZipWithStridedViewAndBigEndianByteOrder() throws IOException {
        // a [2, 2] view at offset 1 with strides (1, 3) of storage 0..5: [[1, 4], [2, 5]]
        byte[] pkl = PickleBytes.tensorDictPickle("w", "LongStorage", 6, 1, new long[] {2, 2}, new long[] {1, 3});
        ByteBuffer le = ByteBuffer.allocate(48).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer be = ByteBuffer.allocate(48).order(ByteOrder.BIG_ENDIAN);
        for (long i = 0; i < 6; i++) {
            le.putLong(i);
            be.putLong(i);
        }
        Map<String, byte[]> little = new LinkedHashMap<>();
        little.put("archive/data.pkl", pkl);
        little.put("archive/data/0", le.array());
        Map<String, byte[]> big = new LinkedHashMap<>(little);
        big.put("archive/data/0", be.array());
        big.put("archive/byteorder", "big".getBytes(StandardCharsets.US_ASCII));
        try (TensorScope s = TensorScope.open()) {
            for (Path f : List.of(IoTestSupport.zip(dir.resolve("le.pt"), little), IoTestSupport.zip(dir.resolve("be.pt"), big))) {
                Tensor w = StateDicts.load(f).get("w");
                assertEquals(DType.INT64, w.dtype());
                assertEquals(Shape.of(2, 2), w.shape());
                assertArrayEquals(new double[] {1, 4, 2, 5}, w.to(DType.FLOAT64).toDoubleArray(), f.toString());
            }
        }
    }

    @Test
    void halfBitsAreWidenedExactly() {
        assertEquals(1.0f, PyTorchPickle.halfToFloat((short) 0x3c00));
        assertEquals(-2.0f, PyTorchPickle.halfToFloat((short) 0xc000));
        assertEquals(65504.0f, PyTorchPickle.halfToFloat((short) 0x7bff));
        assertEquals(0x1p-24f, PyTorchPickle.halfToFloat((short) 0x0001)); // smallest subnormal
        assertEquals(-0.0f, PyTorchPickle.halfToFloat((short) 0x8000));
        assertEquals(Float.POSITIVE_INFINITY, PyTorchPickle.halfToFloat((short) 0x7c00));
        assertTrue(Float.isNaN(PyTorchPickle.halfToFloat((short) 0x7e00)));
    }

    // ================================================================ the pickle reader on hand-made bytes

    @Test
    void everyOpcodeTorchSaveEmitsIsUnderstood() throws dev.jtorch.internal.Pickle.Refused {
        byte[] p = new PickleBytes()
                .op(0x80, 4).op(0x95).i32(0).i32(0)                             // PROTO 4, FRAME (ignored)
                .global("collections", "OrderedDict").op('q', 0).op(')').op('R').op('r').i32(1) // LONG_BINPUT
                .op('(')
                .shortUnicode("w").global("torch._utils", "_rebuild_parameter")
                .global("torch._utils", "_rebuild_tensor_v2").op('(')
                .op('(').unicode("storage").global("torch", "HalfStorage").unicode("7").unicode("cpu").int1(4).op('t')
                .op('Q').int1(0).int1(2).op(0x85).int1(1).op(0x85).op(0x89)
                .op('h', 0).op(')').op('R')                                    // BINGET of OrderedDict -> hooks
                .op('t').op('R')                                                // tensor
                .op(0x88).op('j').i32(0).op(')').op('R')                        // requires_grad, LONG_BINGET
                .op(0x87).op('R')                                               // TUPLE3 -> parameter
                .unicode("ints").op('(').int1(7).op('M', 0x34, 0x12).op('J').i32(-5)
                .op(0x8a, 2, 0x00, 0x80).op(0x8a, 0).op('t')                   // BININT1, BININT2, BININT, LONG1 -32768, LONG1 0
                .unicode("misc").op(']').op('N').op('a').op('(')                  // EMPTY_LIST, APPEND
                .op('G', 0x40, 0x09, 0x21, 0xfb, 0x54, 0x44, 0x2d, 0x18).unicode("s").op('e') // BINFLOAT pi, APPENDS
                .op(0x88).op(0x86)                                              // TUPLE2 (list, True)
                .op('u')                                                        // SETITEMS
                .unicode("tup").op(')').op('s')                                 // SETITEM with EMPTY_TUPLE
                .op('}').unicode("_metadata").op('}').op('s').op('b')           // BUILD with _metadata
                .op('.').bytes();
        Object top = PyTorchPickle.parse(p);
        dev.jtorch.internal.Pickle.OrderedDict d = assertInstanceOf(dev.jtorch.internal.Pickle.OrderedDict.class, top);
        assertEquals(List.of("w", "ints", "misc", "tup"), new ArrayList<>(d.keySet()));
        dev.jtorch.internal.Pickle.TensorSpec w = assertInstanceOf(dev.jtorch.internal.Pickle.TensorSpec.class, d.get("w"));
        assertEquals(new dev.jtorch.internal.Pickle.StorageRef(DType.FLOAT16, "7", 4), w.storage());
        assertEquals(0, w.offset());
        assertArrayEquals(new long[] {2}, w.size());
        assertArrayEquals(new long[] {1}, w.stride());
        assertEquals(List.of(7L, 0x1234L, -5L, -32768L, 0L), ((dev.jtorch.internal.Pickle.Tuple) d.get("ints")).items());
        List<?> misc = ((dev.jtorch.internal.Pickle.Tuple) d.get("misc")).items();
        List<?> list = (List<?>) misc.get(0);
        assertEquals("None", dev.jtorch.internal.Pickle.typeName(list.get(0)));
        assertEquals(List.of(Math.PI, "s"), list.subList(1, 3));
        assertEquals(Boolean.TRUE, misc.get(1));
        assertEquals(List.of(), ((dev.jtorch.internal.Pickle.Tuple) d.get("tup")).items());
    }

    @Test
    void theReaderRefusesWhatTorchSaveDoesNotEmit() {
        dev.jtorch.internal.Pickle.Refused global = assertThrows(dev.jtorch.internal.Pickle.Refused.class, () -> PyTorchPickle.parse(
                new PickleBytes().op(0x80, 2).global("builtins", "eval").unicode("1").op(0x85).op('R').op('.').bytes()));
        assertTrue(global.getMessage().contains("'builtins.eval'"), global.getMessage());

        dev.jtorch.internal.Pickle.Refused storageCall = assertThrows(dev.jtorch.internal.Pickle.Refused.class, () -> PyTorchPickle.parse(
                new PickleBytes().op(0x80, 2).global("torch", "FloatStorage").op(')').op('R').op('.').bytes()));
        assertTrue(storageCall.getMessage().contains("torch.FloatStorage"), storageCall.getMessage());

        dev.jtorch.internal.Pickle.Refused opcode = assertThrows(dev.jtorch.internal.Pickle.Refused.class, () -> PyTorchPickle.parse(
                new PickleBytes().op(0x80, 2).op('i').op('.').bytes())); // INST
        assertTrue(opcode.getMessage().contains("opcode 0x69"), opcode.getMessage());

        dev.jtorch.internal.Pickle.Refused truncated = assertThrows(dev.jtorch.internal.Pickle.Refused.class, () -> PyTorchPickle.parse(
                new PickleBytes().op(0x80, 2).op('}').unicode("abc").bytes()));
        assertTrue(truncated.getMessage().contains("truncated"), truncated.getMessage());

        dev.jtorch.internal.Pickle.Refused cut = assertThrows(dev.jtorch.internal.Pickle.Refused.class, () -> PyTorchPickle.parse(
                java.util.Arrays.copyOf(new PickleBytes().op(0x80, 2).unicode("abcdef").op('.').bytes(), 8)));
        assertTrue(cut.getMessage().contains("truncated"), cut.getMessage());

        dev.jtorch.internal.Pickle.Refused persid = assertThrows(dev.jtorch.internal.Pickle.Refused.class, () -> PyTorchPickle.parse(
                new PickleBytes().op(0x80, 2).unicode("x").op('Q').op('.').bytes()));
        assertTrue(persid.getMessage().contains("persistent id"), persid.getMessage());
    }

    @Test
    void aDictOfNonTensorsNamesTheOffendingKeys() throws IOException {
        byte[] pkl = new PickleBytes().op(0x80, 2).op('}').op('(').unicode("epoch").int1(3).unicode("lr")
                .op('G', 0x3f, 0xb9, 0x99, 0x99, 0x99, 0x99, 0x99, 0x9a).op('u').op('.').bytes();
        Path f = IoTestSupport.zip(dir.resolve("meta.pt"), Map.of("meta/data.pkl", pkl));
        ModelFileException e = refused(f);
        assertTrue(e.getMessage().contains("'epoch' is int") && e.getMessage().contains("'lr' is float"), e.getMessage());
    }
}
