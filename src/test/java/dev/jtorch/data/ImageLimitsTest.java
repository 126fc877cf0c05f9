package dev.jtorch.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link ImageFiles} against hostile images: declared-size bombs, truncated and corrupt files. */
public class ImageLimitsTest {
    @TempDir
    Path tmp;

    /** A PNG of a few hundred bytes declaring {@code w x h} grey pixels, with a little (wrong-sized) data. */
    public static byte[] pngDeclaring(int w, int h) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        ByteBuffer ihdr = ByteBuffer.allocate(13).putInt(w).putInt(h).put((byte) 8).put((byte) 0).put((byte) 0)
                .put((byte) 0).put((byte) 0);
        chunk(out, "IHDR", ihdr.array());
        Deflater d = new Deflater();
        d.setInput(new byte[4096]);
        d.finish();
        byte[] z = new byte[8192];
        int n = d.deflate(z);
        d.end();
        chunk(out, "IDAT", Arrays.copyOf(z, n));
        chunk(out, "IEND", new byte[0]);
        return out.toByteArray();
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) throws IOException {
        byte[] t = type.getBytes(StandardCharsets.US_ASCII);
        out.write(ByteBuffer.allocate(4).putInt(data.length).array());
        out.write(t);
        out.write(data);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        out.write(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }

    static byte[] encoded(String format, int w, int h) throws IOException {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, (x * 37 + y * 101) * 0x010203);
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertTrue(ImageIO.write(img, format, out));
        return out.toByteArray();
    }

    private static long allocatedBytes() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }

    @Test
    void aPixelBombIsRefusedFromItsHeaderBeforeDecoding() throws IOException {
        byte[] bomb = pngDeclaring(46000, 46000);
        assertTrue(bomb.length < 200, "bomb is " + bomb.length + " bytes");
        long before = allocatedBytes();
        DataException e = assertThrows(DataException.class, () -> ImageFiles.readGray(bomb, "request body", 28, 28));
        long spent = allocatedBytes() - before;
        String m = e.getMessage();
        assertTrue(m.startsWith("request body: "), m);
        assertTrue(m.contains("46000x46000") && m.contains("2116000000 pixels")
                && m.contains("limit of " + ImageFiles.DEFAULT_MAX_PIXELS), m);
        // decoding would take 2 GB; the header check a few hundred KiB at most (reader set-up)
        assertTrue(spent < (8 << 20), "refusing the bomb allocated " + spent + " bytes");

        Path file = tmp.resolve("bomb.png");
        Files.write(file, bomb);
        DataException f = assertThrows(DataException.class, () -> ImageFiles.readRgb(file, 32, 32));
        assertTrue(f.getMessage().startsWith(file + ": ") && f.getMessage().contains("46000x46000"), f.getMessage());
        // an int-overflowing product is named exactly too
        DataException g = assertThrows(DataException.class,
                () -> ImageFiles.readGray(pngDeclaring(Integer.MAX_VALUE, 3), "x", 28, 28));
        assertTrue(g.getMessage().contains(Long.toString(3L * Integer.MAX_VALUE)), g.getMessage());
    }

    @Test
    void theLimitIsConfigurableAndChecksEveryFormat() throws IOException {
        for (String format : new String[] {"png", "jpeg"}) {
            byte[] img = encoded(format, 28, 28);
            assertEquals(784, ImageFiles.readGray(img, "in", 28, 28, 784).length);
            DataException e = assertThrows(DataException.class, () -> ImageFiles.readGray(img, "in", 28, 28, 783));
            assertTrue(e.getMessage().contains("28x28") && e.getMessage().contains("784 pixels, over the limit of 783"),
                    e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> ImageFiles.readGray(encoded("png", 2, 2), "in", 2, 2, 0));
    }

    @Test
    void aWrongSizeIsRefusedBeforeDecodingWithTheSameMessage() throws IOException {
        DataException e = assertThrows(DataException.class,
                () -> ImageFiles.readGray(pngDeclaring(4000, 3000), "request body", 28, 28));
        assertEquals("request body: image is 4000x3000 (width x height), expected 28x28", e.getMessage());
    }

    @Test
    void truncatedAndCorruptImagesAreDataErrors() throws IOException {
        for (String format : new String[] {"png", "jpeg"}) {
            byte[] whole = encoded(format, 28, 28);
            // cut inside the pixel data (an image missing only its end marker still has all its pixels)
            for (int cut : new int[] {whole.length / 2, whole.length * 3 / 4, 40}) {
                byte[] part = Arrays.copyOf(whole, cut);
                DataException e = assertThrows(DataException.class, () -> ImageFiles.readGray(part, "request body", 28, 28),
                        format + " cut at " + cut);
                assertTrue(e.getMessage().startsWith("request body: "), e.getMessage());
                assertTrue(e.getMessage().contains("truncated") || e.getMessage().contains("corrupt")
                        || e.getMessage().contains("not a PNG or JPEG"), e.getMessage());
                Path f = tmp.resolve("cut." + format);
                Files.write(f, part);
                DataException g = assertThrows(DataException.class, () -> ImageFiles.readRgb(f, 28, 28));
                assertTrue(g.getMessage().startsWith(f + ": "), g.getMessage());
            }
            // flipped bytes in the compressed data
            byte[] flipped = whole.clone();
            for (int i = whole.length / 3; i < whole.length - 16; i += 7) {
                flipped[i] ^= 0x5a;
            }
            try {
                ImageFiles.readGray(flipped, "request body", 28, 28);
            } catch (DataException e) {
                assertTrue(e.getMessage().startsWith("request body: "), e.getMessage());
            }
        }
        // data too short for the declared size (4 KiB of rows for a 100x100 image)
        DataException e = assertThrows(DataException.class,
                () -> ImageFiles.readGray(pngDeclaring(100, 100), "x", 100, 100));
        assertTrue(e.getMessage().startsWith("x: corrupt"), e.getMessage());
    }
}
