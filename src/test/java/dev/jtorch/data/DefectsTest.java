package dev.jtorch.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every defect is a {@link DataException} whose one-line message starts with the file at fault and
 * says what is wrong. Defective copies of the fixtures are made in a temporary folder.
 */
class DefectsTest {
    private static final String IMAGES = "train-images-idx3-ubyte";
    private static final String LABELS = "train-labels-idx1-ubyte";

    @TempDir
    Path tmp;
    private byte[] images;
    private byte[] labels;
    private byte[] imagesGz;

    @BeforeEach
    void read() throws IOException {
        images = Files.readAllBytes(TestData.file("fashion-mnist-raw/" + IMAGES));
        labels = Files.readAllBytes(TestData.file("fashion-mnist-raw/" + LABELS));
        imagesGz = Files.readAllBytes(TestData.file("fashion-mnist-gz/" + IMAGES + ".gz"));
    }

    private Path write(String name, byte[] data) throws IOException {
        Path f = tmp.resolve(name);
        Files.createDirectories(f.getParent());
        Files.write(f, data);
        return f;
    }

    /** Asserts the reader fails on {@code file} with a one-line message naming it and containing each phrase. */
    private static DataException refuses(Path file, Executable read, String... phrases) {
        DataException e = assertThrows(DataException.class, read);
        assertEquals(file, e.file());
        String m = e.getMessage();
        assertTrue(m.startsWith(file + ": "), m);
        assertFalse(m.contains("\n"), "one line: " + m);
        for (String p : phrases) {
            assertTrue(m.contains(p), "'" + p + "' missing from: " + m);
        }
        return e;
    }

    private static void putInt(byte[] b, int offset, int v) {
        b[offset] = (byte) (v >>> 24);
        b[offset + 1] = (byte) (v >>> 16);
        b[offset + 2] = (byte) (v >>> 8);
        b[offset + 3] = (byte) v;
    }

    @Test
    void payloadShorterThanTheHeaderSays() throws IOException {
        Path f = write(IMAGES, Arrays.copyOf(images, images.length - 10));
        refuses(f, () -> Idx.readImages(f), "payload shorter than the header says", "5 images of 28x28 = 3920 bytes",
                "holds 3910");
        Path l = write(LABELS, Arrays.copyOf(labels, labels.length - 1));
        refuses(l, () -> Idx.readLabels(l, 10), "payload shorter than the header says", "5 labels", "holds 4");
    }

    @Test
    void headerCountLargerThanThePayload() throws IOException {
        byte[] b = images.clone();
        putInt(b, 4, 6);
        Path f = write(IMAGES, b);
        refuses(f, () -> Idx.readImages(f), "payload shorter than the header says", "6 images");
    }

    @Test
    void trailingExtraBytes() throws IOException {
        Path f = write(IMAGES, Arrays.copyOf(images, images.length + 3));
        refuses(f, () -> Idx.readImages(f), "header sizes disagree with the payload", "3 extra bytes");
        Path l = write(LABELS, Arrays.copyOf(labels, labels.length + 2));
        refuses(l, () -> Idx.readLabels(l, 10), "header sizes disagree with the payload", "2 extra bytes");
    }

    @Test
    void headerDimensionsThatDisagreeWithThePayload() throws IOException {
        byte[] b = images.clone();
        putInt(b, 8, 27); // rows 27: 5*27*28 bytes expected, 5*28*28 present
        Path f = write(IMAGES, b);
        refuses(f, () -> Idx.readImages(f), "header sizes disagree with the payload", "5 images of 27x28",
                (5 * 28) + " extra bytes");
        putInt(b, 8, -1);
        Path g = write("neg-" + IMAGES, b);
        refuses(g, () -> Idx.readImages(g), "impossible sizes");
    }

    @Test
    void wrongMagicNumber() throws IOException {
        byte[] b = images.clone();
        b[3] = 0x04;
        Path f = write(IMAGES, b);
        refuses(f, () -> Idx.readImages(f), "wrong magic number 2052", "expected 2051");
        Path l = write("labels-as-images", labels);
        refuses(l, () -> Idx.readImages(l), "wrong magic number 2049", "IDX labels file", "expected 2051");
        Path i = write("images-as-labels", images);
        refuses(i, () -> Idx.readLabels(i, 10), "wrong magic number 2051", "expected 2049");
        Path tiny = write("tiny", new byte[] {0, 0});
        refuses(tiny, () -> Idx.readImages(tiny), "too short for an IDX header");
    }

    @Test
    void gzipCutShort() throws IOException {
        Path half = write(IMAGES + ".gz", Arrays.copyOf(imagesGz, imagesGz.length / 2));
        refuses(half, () -> Idx.readImages(half), "gzip data cut short");
        // Cut inside the 8-byte trailer: the deflate data is complete, the CRC is not.
        Path trailer = write("trailer-" + IMAGES + ".gz", Arrays.copyOf(imagesGz, imagesGz.length - 3));
        refuses(trailer, () -> Idx.readImages(trailer), "gzip data cut short");
    }

    @Test
    void corruptDeflateData() throws IOException {
        byte[] b = imagesGz.clone();
        assertEquals(0, b[3], "fixture has no optional gzip header fields");
        b[10] = (byte) 0xFF; // first block header: BTYPE = 11, which deflate reserves
        Path f = write(IMAGES + ".gz", b);
        refuses(f, () -> Idx.readImages(f), "corrupt deflate data");
    }

    @Test
    void wrongGzipCrcAndLength() throws IOException {
        byte[] b = imagesGz.clone();
        b[b.length - 8] ^= 0x5A; // CRC-32 of the trailer
        Path f = write(IMAGES + ".gz", b);
        refuses(f, () -> Idx.readImages(f), "gzip CRC-32/length check failed");
        byte[] c = imagesGz.clone();
        c[c.length - 4] ^= 0x01; // ISIZE
        Path g = write("isize-" + IMAGES + ".gz", c);
        refuses(g, () -> Idx.readImages(g), "gzip CRC-32/length check failed");
    }

    @Test
    void wrongCrcInAnEarlierGzipMember() throws IOException {
        byte[] first = ReadersTest.gzip(Arrays.copyOfRange(images, 0, 1000));
        byte[] second = ReadersTest.gzip(Arrays.copyOfRange(images, 1000, images.length));
        first[first.length - 6] ^= 0x10;
        byte[] both = Arrays.copyOf(first, first.length + second.length);
        System.arraycopy(second, 0, both, first.length, second.length);
        Path f = write(IMAGES + ".gz", both);
        refuses(f, () -> Idx.readImages(f), "gzip CRC-32/length check failed");
    }

    @Test
    void imageAndLabelCountsDiffer() throws IOException {
        write("set/" + IMAGES, images);
        byte[] four = Arrays.copyOf(labels, labels.length - 1);
        putInt(four, 4, 4);
        Path l = write("set/" + LABELS, four);
        refuses(l, () -> DataSets.load(tmp.resolve("set"), Split.TRAIN), "image and label counts differ", "4 labels",
                IMAGES + " holds 5 images");
    }

    @Test
    void labelOutsideTheClassRange() throws IOException {
        byte[] b = labels.clone();
        b[8 + 2] = 10;
        Path l = write(LABELS, b);
        refuses(l, () -> Idx.readLabels(l, 10), "label 10 at index 2", "outside the 10 classes 0..9");
        write("set/" + IMAGES, images);
        Files.copy(l, tmp.resolve("set/" + LABELS));
        Path inSet = tmp.resolve("set/" + LABELS);
        refuses(inSet, () -> DataSets.load(tmp.resolve("set"), Split.TRAIN), "label 10 at index 2");
    }

    @Test
    void missingFilesAndFolders() throws IOException {
        write("set/" + IMAGES, images);
        Path labelsGz = tmp.resolve("set/" + LABELS + ".gz");
        refuses(labelsGz, () -> DataSets.load(tmp.resolve("set"), Split.TRAIN), "missing file", LABELS);
        Path testImages = tmp.resolve("set/t10k-images-idx3-ubyte.gz");
        refuses(testImages, () -> DataSets.load(tmp.resolve("set"), Split.TEST), "missing file");
        Path none = tmp.resolve("nowhere");
        refuses(none, () -> DataSets.load(none, Split.TRAIN), "no such data folder");
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        refuses(empty, () -> DataSets.load(empty, Split.TRAIN), "no data set here", "train-images-idx3-ubyte",
                "data_batch_1.bin");
        Path absent = tmp.resolve("absent-" + IMAGES);
        refuses(absent, () -> Idx.readImages(absent), "missing file");
    }

    @Test
    void cifarDefects() throws IOException {
        byte[] batch = Files.readAllBytes(TestData.file("cifar-10/test_batch.bin"));
        Path cut = write("test_batch.bin", Arrays.copyOf(batch, batch.length - 100));
        refuses(cut, () -> Cifar10.readBatch(cut), "not a whole number of 3073-byte CIFAR-10 records",
                "4 records and 2973 bytes left over");
        Path extra = write("extra/test_batch.bin", Arrays.copyOf(batch, batch.length + 1));
        refuses(extra, () -> Cifar10.readBatch(extra), "5 records and 1 bytes left over");
        byte[] bad = batch.clone();
        bad[Cifar10.RECORD_BYTES] = 10; // label of record 1
        Path label = write("label/test_batch.bin", bad);
        refuses(label, () -> Cifar10.readBatch(label), "label 10 of record 1", "outside the 10 classes");
        Path empty = write("empty/test_batch.bin", new byte[0]);
        refuses(empty, () -> Cifar10.readBatch(empty), "empty file");
        // Training needs all five batches; a missing one is named, never skipped.
        for (int i = 1; i <= 4; i++) {
            write("train/data_batch_" + i + ".bin", batch);
        }
        Path fifth = tmp.resolve("train/data_batch_5.bin");
        refuses(fifth, () -> DataSets.load(tmp.resolve("train"), Split.TRAIN), "missing file");
        Files.write(fifth, bad);
        refuses(fifth, () -> DataSets.load(tmp.resolve("train"), Split.TRAIN), "label 10 of record 1");
    }

    @Test
    void aFolderWithBothKindsIsAmbiguous() throws IOException {
        write("both/" + IMAGES, images);
        write("both/test_batch.bin", Files.readAllBytes(TestData.file("cifar-10/test_batch.bin")));
        Path dir = tmp.resolve("both");
        refuses(dir, () -> DataSets.load(dir, Split.TEST), "both MNIST-format IDX files and CIFAR-10 batches");
    }
}
