package dev.jtorch.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jtorch.internal.OptimizerArchive;
import dev.jtorch.internal.Pickle;
import dev.jtorch.internal.ZipBytes;
import dev.jtorch.nn.Linear;
import dev.jtorch.optim.Adam;
import dev.jtorch.tensor.Tensor;
import dev.jtorch.tensor.TensorScope;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Model files made by an attacker: views outside their storage, overflowing counts, pickles built
 * to cost quadratic or exponential work, metadata bombs. Each is refused with a clear message, in
 * bounded time, and never reaches libtorch.
 */
class HostileModelFilesTest {
    private static final Duration BOUND = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    // ================================================================ checkpoints

    /** A real checkpoint whose model.pt entry is replaced by {@code modelZip}. */
    private Path checkpointWithModel(String name, byte[] modelZip) throws IOException {
        Path good = dir.resolve("good-" + name);
        try (TensorScope s = TensorScope.open(); Linear m = new Linear(3, 2)) {
            new Checkpoint("linear", 1, 7, m.stateDict(), null, Map.of()).save(good);
        }
        Map<String, byte[]> entries = unzip(Files.readAllBytes(good));
        entries.put(Checkpoint.MODEL_ENTRY, modelZip);
        Path bad = dir.resolve(name);
        Files.write(bad, zipStored(entries));
        return bad;
    }

    private static byte[] stateDictZip(byte[] pkl, byte[] storage) {
        Map<String, byte[]> e = new LinkedHashMap<>();
        e.put("archive/data.pkl", pkl);
        e.put("archive/data/0", storage);
        return zipStored(e);
    }

    private ModelFileException loadRefused(Path file) {
        return assertThrows(ModelFileException.class, () -> {
            try (TensorScope s = TensorScope.open()) {
                Checkpoint.load(file);
            }
        });
    }

    @Test
    void aCheckpointModelViewFarOutsideItsStorageIsRefusedNotCopied() throws IOException {
        // stride 2^40: libtorch's unpickler built this view and its copy kernel crashed the JVM
        byte[] pkl = PickleBytes.tensorDictPickle("weight", "FloatStorage", 6, 0, new long[] {2, 3},
                new long[] {1L << 40, 1});
        ModelFileException e = loadRefused(checkpointWithModel("huge-stride.pt", stateDictZip(pkl, new byte[24])));
        assertTrue(e.getMessage().contains(Checkpoint.MODEL_ENTRY) && e.getMessage().contains("'weight'")
                && e.getMessage().contains("past its storage"), e.getMessage());
    }

    @Test
    void aSmallOverrunIsRefusedRatherThanReadingNeighbouringBytes() throws IOException {
        byte[] pkl = PickleBytes.tensorDictPickle("weight", "FloatStorage", 6, 1, new long[] {2, 3}, new long[] {3, 1});
        ModelFileException e = loadRefused(checkpointWithModel("overrun.pt", stateDictZip(pkl, new byte[24])));
        assertTrue(e.getMessage().contains("reaches element 6, past its storage of 6"), e.getMessage());
    }

    @Test
    void stridesThatOverflowAreRefused() throws IOException {
        byte[] pkl = PickleBytes.tensorDictPickle("weight", "FloatStorage", 6, 0, new long[] {4, 3},
                new long[] {Long.MAX_VALUE / 2, 1});
        ModelFileException e = loadRefused(checkpointWithModel("overflow.pt", stateDictZip(pkl, new byte[24])));
        assertTrue(e.getMessage().contains("overflows 64-bit arithmetic"), e.getMessage());
    }

    @Test
    void aStorageElementCountThatOverflowsIsRefused() throws IOException {
        byte[] pkl = PickleBytes.tensorDictPickle("w", "FloatStorage", 1L << 62, 0, new long[] {2}, new long[] {1});
        ModelFileException e = loadRefused(checkpointWithModel("numel.pt", stateDictZip(pkl, new byte[8])));
        assertTrue(e.getMessage().contains("more bytes than 64-bit arithmetic holds"), e.getMessage());

        Path plain = IoTestSupport.zip(dir.resolve("numel-sd.pt"), Map.of("a/data.pkl", pkl, "a/data/0", new byte[8]));
        ModelFileException e2 = assertThrows(ModelFileException.class, () -> {
            try (TensorScope s = TensorScope.open()) {
                StateDicts.load(plain);
            }
        });
        assertTrue(e2.getMessage().contains("64-bit"), e2.getMessage());
    }

    @Test
    void aBogusByteorderIsRefusedNotReadAsLittleEndian() throws IOException {
        byte[] pkl = PickleBytes.tensorDictPickle("w", "FloatStorage", 2, 0, new long[] {2}, new long[] {1});
        Path f = IoTestSupport.zip(dir.resolve("bo.pt"), Map.of("a/data.pkl", pkl, "a/data/0", new byte[8],
                "a/byteorder", "middle".getBytes(StandardCharsets.US_ASCII)));
        ModelFileException e = assertThrows(ModelFileException.class, () -> {
            try (TensorScope s = TensorScope.open()) {
                StateDicts.load(f);
            }
        });
        assertTrue(e.getMessage().contains("byteorder") && e.getMessage().contains("'middle'"), e.getMessage());
    }

    @Test
    void aStorageSharedWithTwoDeclarationsIsRefused() throws IOException {
        byte[] pkl = new PickleBytes().op(0x80, 2).op('}').op('(')
                .unicode("a").global("torch._utils", "_rebuild_tensor_v2").op('(')
                .op('(').unicode("storage").global("torch", "FloatStorage").unicode("0").unicode("cpu").integer(2).op('t')
                .op('Q').integer(0).ints(new long[] {2}).ints(new long[] {1}).op(0x89)
                .global("collections", "OrderedDict").op(')').op('R').op('t').op('R')
                .unicode("b").global("torch._utils", "_rebuild_tensor_v2").op('(')
                .op('(').unicode("storage").global("torch", "DoubleStorage").unicode("0").unicode("cpu").integer(1).op('t')
                .op('Q').integer(0).ints(new long[] {1}).ints(new long[] {1}).op(0x89)
                .global("collections", "OrderedDict").op(')').op('R').op('t').op('R')
                .op('u').op('.').bytes();
        ModelFileException e = loadRefused(checkpointWithModel("two-decl.pt", stateDictZip(pkl, new byte[8])));
        assertTrue(e.getMessage().contains("storage 0 is declared as"), e.getMessage());
    }

    @Test
    void expandedViewsCannotMultiplyMemory() throws IOException {
        // one float viewed 2^30 times: a 4-byte storage would become a 4 GiB array
        byte[] pkl = PickleBytes.tensorDictPickle("w", "FloatStorage", 1, 0, new long[] {1L << 30}, new long[] {0});
        ModelFileException e = loadRefused(checkpointWithModel("expand.pt", stateDictZip(pkl, new byte[4])));
        assertTrue(e.getMessage().contains("overlapping strides"), e.getMessage());
    }

    @Test
    void checkpointMetadataIsBoundedBeforeParsing() throws IOException {
        Path good = dir.resolve("meta-good.pt");
        try (TensorScope s = TensorScope.open(); Linear m = new Linear(3, 2)) {
            new Checkpoint("linear", 1, 7, m.stateDict(), null, Map.of()).save(good);
        }
        Map<String, byte[]> entries = unzip(Files.readAllBytes(good));

        entries.put(Checkpoint.JSON_ENTRY, ("{\"format\":\"jtorch-checkpoint\",\"pad\":\"" + "x".repeat(2 << 20) + "\"}")
                .getBytes(StandardCharsets.UTF_8));
        Path big = dir.resolve("meta-big.pt");
        Files.write(big, zipDeflated(entries));
        ModelFileException e = assertTimeoutPreemptively(BOUND, () -> loadRefused(big));
        assertTrue(e.getMessage().contains(Checkpoint.JSON_ENTRY) && e.getMessage().contains("more than the 1048576"),
                e.getMessage());

        entries.put(Checkpoint.JSON_ENTRY, ("[".repeat(100_000) + "]".repeat(100_000)).getBytes(StandardCharsets.UTF_8));
        Path deep = dir.resolve("meta-deep.pt");
        Files.write(deep, zipDeflated(entries));
        ModelFileException e2 = assertTimeoutPreemptively(BOUND, () -> loadRefused(deep));
        assertTrue(e2.getMessage().contains("not valid JSON") && e2.getMessage().contains("nesting depth"),
                e2.getMessage());
        assertEquals(ModelKind.UNKNOWN, assertTimeoutPreemptively(BOUND, () -> ModelFiles.detect(deep)));
    }

    // ================================================================ the pickle machine

    private static Pickle.Refused parseRefused(byte[] pkl) {
        return assertTimeoutPreemptively(BOUND, () -> assertThrows(Pickle.Refused.class, () -> PyTorchPickle.parse(pkl)));
    }

    @Test
    void marksOverADeepStackCostLinearTime() {
        // 200k values, then 200k MARK/TUPLE pairs: copying the stack at each MARK made this quadratic
        PickleBytes p = new PickleBytes().op(0x80, 2);
        for (int i = 0; i < 200_000; i++) {
            p.op('K', 1);
        }
        for (int i = 0; i < 200_000; i++) {
            p.op('(').op('t');
        }
        Pickle.Refused e = parseRefused(p.op('.').bytes());
        assertTrue(e.getMessage().contains("STOP with 400000 values"), e.getMessage());
    }

    @Test
    void aLongTupleCostsLinearTimeInTheProbe() throws IOException {
        PickleBytes p = new PickleBytes().op(0x80, 2).op('(');
        for (int i = 0; i < 3_000_000; i++) {
            p.op('K', 1);
        }
        byte[] pkl = p.op('t').op('.').bytes();
        // deflated, this is a few kB on disk: the probe once spent hours on it
        Path f = dir.resolve("tuple.pt");
        Files.write(f, zipDeflated(Map.of("a/data.pkl", pkl)));
        assertTrue(Files.size(f) < 64 << 10, "fixture is small on disk");
        assertEquals(ModelKind.UNKNOWN, assertTimeoutPreemptively(BOUND, () -> ModelFiles.detect(f)));
        assertNull(PickleProbe.describe(pkl));
    }

    @Test
    void selfReferencingAndExponentialValuesAreHarmless() {
        // a list containing itself, used as a value and as a key
        byte[] selfValue = new PickleBytes().op(0x80, 2).op('}').unicode("w").op(']').op('q', 0).op('h', 0).op('a')
                .op('s').op('.').bytes();
        assertTimeoutPreemptively(BOUND, () -> PyTorchPickle.parse(selfValue));
        byte[] selfKey = new PickleBytes().op(0x80, 2).op('}').op(']').op('q', 0).op('h', 0).op('a').op('K', 1)
                .op('s').op('.').bytes();
        Pickle.Refused key = parseRefused(selfKey);
        assertTrue(key.getMessage().contains("dict key of type list"), key.getMessage());

        // 2^60 leaves by sharing: t(i+1) = (t(i), t(i)), as a value and as a key
        byte[] asValue = exponential().unicode("w").op('h', 60).op('s').op('.').bytes();
        assertTimeoutPreemptively(BOUND, () -> assertNull(PickleProbe.describe(asValue)));
        Pickle.Refused tupleKey = parseRefused(exponential().op('h', 60).op('K', 1).op('s').op('.').bytes());
        assertTrue(tupleKey.getMessage().contains("dict key of type tuple"), tupleKey.getMessage());
    }

    /** An empty dict on the stack, and tuples of 2^i leaves in memo slots 0..60. */
    private static PickleBytes exponential() {
        PickleBytes p = new PickleBytes().op(0x80, 2).op('}').op('K', 1).op('K', 1).op(0x86).op('q', 0).op('0');
        for (int i = 0; i < 60; i++) {
            p.op('h', i).op('h', i).op(0x86).op('q', i + 1).op('0');
        }
        return p;
    }

    @Test
    void theValueBudgetBoundsMemory() {
        PickleBytes p = new PickleBytes().op(0x80, 2).op('}').op('q', 0);
        for (long i = 0; i <= Pickle.MAX_VALUES; i++) {
            p.op('h', 0).op('0'); // push the memoised dict, pop it
        }
        Pickle.Refused e = parseRefused(p.op('.').bytes());
        assertTrue(e.getMessage().contains("more than " + Pickle.MAX_VALUES + " values"), e.getMessage());
    }

    // ================================================================ optimizer archives

    private static byte[] adamState() {
        try (TensorScope s = TensorScope.open(); Linear m = new Linear(3, 2);
             Adam opt = new Adam(m.parameters(), 0.01)) {
            m.forward(Tensor.ones(4, 3)).sum().backward();
            opt.step();
            return opt.stateBytes();
        }
    }

    @Test
    void optimizerStateIsCheckedTensorByTensor() throws IOException {
        byte[] real = adamState();
        OptimizerArchive.check(real); // the real thing passes

        Map<String, byte[]> short0 = unzip(real);
        short0.put("archive/data/0", new byte[4]);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> OptimizerArchive.check(zipStored(short0)));
        assertTrue(e.getMessage().contains("archive/data/0") && e.getMessage().contains("but its tensors declare"),
                e.getMessage());

        Map<String, byte[]> foreign = unzip(real);
        String pkl = new String(foreign.get("archive/data.pkl"), StandardCharsets.ISO_8859_1)
                .replace("collections\nOrderedDict\n", "os\nsystem\n");
        foreign.put("archive/data.pkl", pkl.getBytes(StandardCharsets.ISO_8859_1));
        IllegalArgumentException g = assertThrows(IllegalArgumentException.class,
                () -> OptimizerArchive.check(zipStored(foreign)));
        assertTrue(g.getMessage().contains("'os.system'"), g.getMessage());
    }

    // ================================================================ zip helpers

    /** Read like libtorch reads (central directory); libtorch's STORED entries defeat ZipInputStream. */
    static Map<String, byte[]> unzip(byte[] zip) {
        Map<String, byte[]> out = new LinkedHashMap<>();
        ZipBytes z = ZipBytes.open(zip, "test archive");
        for (ZipBytes.Entry e : z.entries()) {
            out.put(e.name(), z.content(e, Integer.MAX_VALUE));
        }
        return out;
    }

    static byte[] zipStored(Map<String, byte[]> entries) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(bytes)) {
            for (Map.Entry<String, byte[]> en : entries.entrySet()) {
                ZipEntry e = new ZipEntry(en.getKey());
                e.setMethod(ZipEntry.STORED);
                e.setSize(en.getValue().length);
                CRC32 crc = new CRC32();
                crc.update(en.getValue());
                e.setCrc(crc.getValue());
                z.putNextEntry(e);
                z.write(en.getValue());
                z.closeEntry();
            }
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return bytes.toByteArray();
    }

    static byte[] zipDeflated(Map<String, byte[]> entries) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(bytes)) {
            z.setLevel(9);
            for (Map.Entry<String, byte[]> en : entries.entrySet()) {
                z.putNextEntry(new ZipEntry(en.getKey()));
                z.write(en.getValue());
                z.closeEntry();
            }
        }
        return bytes.toByteArray();
    }
}
