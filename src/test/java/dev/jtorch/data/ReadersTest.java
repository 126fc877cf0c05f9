package dev.jtorch.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The readers on the committed fixtures: values as Python/PIL saw them. */
class ReadersTest {
    @TempDir
    Path tmp;

    @Test
    void idxRawAndGzipReadTheFirstFashionMnistImages() {
        for (String split : List.of("train", "t10k")) {
            JsonNode e = TestData.expected().get(split);
            Idx.Images raw = Idx.readImages(TestData.file("fashion-mnist-raw/" + split + "-images-idx3-ubyte"));
            Idx.Images gz = Idx.readImages(TestData.file("fashion-mnist-gz/" + split + "-images-idx3-ubyte.gz"));
            assertEquals(5, raw.count());
            assertEquals(28, raw.rows());
            assertEquals(28, raw.cols());
            assertArrayEquals(raw.pixels(), gz.pixels());
            assertArrayEquals(TestData.ints(e.get("image0")), TestData.unsigned(Arrays.copyOf(raw.pixels(), 784)));
            int[] sums = new int[5];
            for (int i = 0; i < raw.pixels().length; i++) {
                sums[i / 784] += raw.pixels()[i] & 0xFF;
            }
            assertArrayEquals(TestData.ints(e.get("sums")), sums);
            int[] labels = TestData.ints(e.get("labels"));
            assertArrayEquals(labels, Idx.readLabels(TestData.file("fashion-mnist-raw/" + split + "-labels-idx1-ubyte"), 10));
            assertArrayEquals(labels, Idx.readLabels(TestData.file("fashion-mnist-gz/" + split + "-labels-idx1-ubyte.gz"), 10));
        }
    }

    @Test
    void gzipIsDetectedByContentNotName() throws IOException {
        Path renamed = tmp.resolve("images-without-extension");
        Files.copy(TestData.file("fashion-mnist-gz/t10k-images-idx3-ubyte.gz"), renamed);
        assertArrayEquals(Idx.readImages(TestData.file("fashion-mnist-raw/t10k-images-idx3-ubyte")).pixels(),
                Idx.readImages(renamed).pixels());
    }

    @Test
    void everyGzipMemberIsRead() throws IOException {
        byte[] raw = Files.readAllBytes(TestData.file("fashion-mnist-raw/t10k-images-idx3-ubyte"));
        ByteArrayOutputStream two = new ByteArrayOutputStream();
        two.write(gzip(Arrays.copyOfRange(raw, 0, 1000)));
        two.write(gzip(Arrays.copyOfRange(raw, 1000, raw.length)));
        Path f = tmp.resolve("t10k-images-idx3-ubyte.gz");
        Files.write(f, two.toByteArray());
        assertArrayEquals(Arrays.copyOfRange(raw, 16, raw.length), Idx.readImages(f).pixels());
    }

    static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(out)) {
            z.write(data);
        }
        return out.toByteArray();
    }

    @Test
    void cifarBatchSplitsLabelsAndPlanes() {
        JsonNode e = TestData.expected().get("cifar");
        Dataset d = Cifar10.readBatch(TestData.file("cifar-10/test_batch.bin"));
        assertEquals(5, d.size());
        assertEquals(3, d.channels());
        assertEquals(32, d.height());
        assertEquals(32, d.width());
        assertEquals("cifar-10", d.name());
        assertArrayEquals(TestData.ints(e.get("labels")), d.labels());
        for (int i = 0; i < 5; i++) {
            byte[] img = d.image(i);
            for (int c = 0; c < 3; c++) {
                int sum = 0;
                for (int p = 0; p < 1024; p++) {
                    sum += img[c * 1024 + p] & 0xFF;
                }
                assertEquals(e.get("plane_sums").get(i).get(c).asInt(), sum, "record " + i + " plane " + c);
                assertEquals(e.get("first_pixels").get(i).get(c).asInt(), img[c * 1024] & 0xFF);
            }
        }
        assertEquals(List.of("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"),
                d.classNames());
    }

    @Test
    void grayPngIsReadAsStored() {
        assertArrayEquals(TestData.ints(TestData.expected().get("gray28_png")),
                TestData.unsigned(ImageFiles.readGray(TestData.file("gray28.png"), 28, 28)));
    }

    @Test
    void grayJpegMatchesPillowWithinOneLevel() {
        int[] want = TestData.ints(TestData.expected().get("gray28_jpg"));
        int[] got = TestData.unsigned(ImageFiles.readGray(TestData.file("gray28.jpg"), 28, 28));
        int worst = 0;
        for (int i = 0; i < want.length; i++) {
            worst = Math.max(worst, Math.abs(want[i] - got[i]));
        }
        // Two JPEG decoders may round the inverse DCT differently; the image is the same.
        assertTrue(worst <= 1, "largest difference from PIL's decoding: " + worst);
    }

    @Test
    void colourPngBecomesPillowLuminanceAndRgbPlanes() {
        Path f = TestData.file("colour28.png");
        assertArrayEquals(TestData.ints(TestData.expected().get("colour28_png")),
                TestData.unsigned(ImageFiles.readGray(f, 28, 28)));
        assertArrayEquals(TestData.ints(TestData.expected().get("colour28_rgb_planes")),
                TestData.unsigned(ImageFiles.readRgb(f, 28, 28)));
    }

    @Test
    void nothingIsInverted() {
        assertEquals(0, ImageFiles.luminance(0, 0, 0));
        assertEquals(255, ImageFiles.luminance(255, 255, 255));
        byte[] g = ImageFiles.readGray(TestData.file("gray28.png"), 28, 28);
        assertEquals(0, g[0] & 0xFF, "the background of a Fashion-MNIST image is black (0), as stored");
    }

    @Test
    void wrongSizeNamesTheFileAndItsSize() {
        Path f = TestData.file("gray32.png");
        DataException e = assertThrows(DataException.class, () -> ImageFiles.readGray(f, 28, 28));
        assertEquals(f, e.file());
        assertTrue(e.getMessage().startsWith(f.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("32x32") && e.getMessage().contains("expected 28x28"), e.getMessage());
        assertEquals(32 * 32, ImageFiles.readGray(f, 32, 32).length);
    }

    @Test
    void notAnImageAndMissingImageAreNamed() throws IOException {
        Path text = tmp.resolve("notes.png");
        Files.writeString(text, "not an image");
        DataException e = assertThrows(DataException.class, () -> ImageFiles.readGray(text, 28, 28));
        assertEquals(text, e.file());
        assertTrue(e.getMessage().contains("not a PNG or JPEG"), e.getMessage());
        Path missing = tmp.resolve("missing.png");
        e = assertThrows(DataException.class, () -> ImageFiles.readGray(missing, 28, 28));
        assertEquals(missing, e.file());
        assertTrue(e.getMessage().contains("missing"), e.getMessage());
    }

    @Test
    void datasetIsImmutableAndSlices() {
        Dataset d = DataSets.load(TestData.file("fashion-mnist-raw"), Split.TEST);
        int[] labels = d.labels();
        labels[0] = 7;
        assertEquals(TestData.expected().get("t10k").get("labels").get(0).asInt(), d.label(0));
        ByteBuffer px = d.pixels();
        assertTrue(px.isReadOnly());
        assertEquals(5 * 784, px.remaining());
        byte[] img = d.image(1);
        byte before = img[0];
        img[0] = (byte) (before + 1);
        assertEquals(before, d.image(1)[0], "image() is a copy");

        Dataset h = d.head(2);
        assertEquals(2, h.size());
        assertArrayEquals(Arrays.copyOf(d.labels(), 2), h.labels());
        assertArrayEquals(d.image(1), h.image(1));
        assertSame(d, d.head(100));
        Dataset s = d.slice(3, 5);
        assertEquals(2, s.size());
        assertEquals(d.label(3), s.label(0));
        assertArrayEquals(d.image(4), s.image(1));
        assertEquals(0, d.slice(2, 2).size());
        assertThrows(IndexOutOfBoundsException.class, () -> d.slice(3, 6));
        assertThrows(IndexOutOfBoundsException.class, () -> d.label(5));
        assertThrows(IllegalArgumentException.class, () -> d.head(-1));
    }

    @Test
    void datasetConstructorChecksSizesAndLabels() {
        List<String> two = List.of("a", "b");
        Dataset d = new Dataset("t", new byte[8], new int[] {0, 1}, 1, 2, 2, two, null);
        assertEquals(2, d.size());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Dataset("t", new byte[7], new int[] {0, 1}, 1, 2, 2, two, null));
        assertTrue(e.getMessage().contains("need 8 pixel bytes, got 7"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> new Dataset("t", new byte[8], new int[] {0, 2}, 1, 2, 2, two, null));
        assertTrue(e.getMessage().contains("label 2 of sample 1"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> d.withClassNames(List.of("x")));
        assertEquals(List.of("x", "y"), d.withClassNames(List.of("x", "y")).classNames());
    }
}
