package dev.jtorch.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jtorch.Torch;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Folders of photos as data sets, and the augmentations that run in the prefetch thread. */
class ImageFolderTest {
    @TempDir
    Path dir;

    private static void image(Path file, int w, int h, Color c) throws Exception {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, c.getRGB());
            }
        }
        Files.createDirectories(file.getParent());
        ImageIO.write(img, file.toString().endsWith(".png") ? "png" : "jpg", file.toFile());
    }

    @Test
    void classesAreSortedFoldersAndImagesOfAnySizeAreResized() throws Exception {
        image(dir.resolve("zebra/b.png"), 40, 30, Color.RED);
        image(dir.resolve("zebra/a.png"), 8, 8, Color.BLUE);
        image(dir.resolve("ant/x.png"), 100, 7, Color.GREEN);
        Files.writeString(dir.resolve("ant/notes.txt"), "not an image");
        Files.createDirectories(dir.resolve("empty"));
        Dataset d = ImageFolder.load(dir, 3, 8, 8);
        assertEquals(List.of("ant", "empty", "zebra"), d.classNames());
        assertEquals(3, d.size());
        assertEquals(0, d.label(0));
        assertEquals(2, d.label(1));
        byte[] green = d.image(0);
        byte[] blue = d.image(1); // zebra/a.png before zebra/b.png
        byte[] red = d.image(2);
        for (int i = 0; i < 64; i++) {
            assertEquals(0, green[i] & 0xff);
            assertEquals(255, green[64 + i] & 0xff, "a uniform image stays uniform when resized");
            assertEquals(255, blue[128 + i] & 0xff);
            assertEquals(255, red[i] & 0xff);
        }
        Dataset gray = ImageFolder.load(dir, 1, 5, 6);
        assertEquals(30, gray.sampleSize());
        assertEquals(ImageFiles.luminance(255, 0, 0), gray.image(2)[0] & 0xff);
    }

    @Test
    void trainAndTestFoldersAreADataDirectory() throws Exception {
        image(dir.resolve("train/cat/1.png"), 9, 9, Color.WHITE);
        image(dir.resolve("train/dog/1.png"), 9, 9, Color.BLACK);
        image(dir.resolve("val/cat/1.png"), 12, 12, Color.WHITE);
        Dataset train = DataSets.load(dir, Split.TRAIN, 1, 28, 28);
        Dataset test = DataSets.load(dir, Split.TEST, 1, 28, 28);
        assertEquals(2, train.size());
        assertEquals(1, test.size());
        assertEquals(List.of("cat", "dog"), train.classNames());
        assertEquals(784, test.sampleSize());
    }

    @Test
    void badFoldersAndImagesAreNamed() throws Exception {
        DataException e = assertThrows(DataException.class, () -> ImageFolder.load(dir, 1, 4, 4));
        assertTrue(e.getMessage().contains("no class folders"), e.getMessage());
        Files.createDirectories(dir.resolve("a"));
        e = assertThrows(DataException.class, () -> ImageFolder.load(dir, 1, 4, 4));
        assertTrue(e.getMessage().contains("no PNG or JPEG"), e.getMessage());
        Files.write(dir.resolve("a/broken.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 0, 0, 1});
        e = assertThrows(DataException.class, () -> ImageFolder.load(dir, 1, 4, 4));
        assertTrue(e.getMessage().contains("broken.png"), e.getMessage());
        image(dir.resolve("b/huge.png"), 64, 64, Color.RED);
        Files.delete(dir.resolve("a/broken.png"));
        e = assertThrows(DataException.class, () -> ImageFolder.load(dir, 1, 4, 4, 1000));
        assertTrue(e.getMessage().contains("huge.png") && e.getMessage().contains("limit"), e.getMessage());
        assertThrows(DataException.class, () -> ImageFolder.load(dir.resolve("missing"), 1, 4, 4));
        // refused before any image is decoded or the array allocated
        e = assertThrows(DataException.class, () -> ImageFolder.load(dir, 3, 30_000, 30_000));
        assertTrue(e.getMessage().contains("2^31 bytes") && e.getMessage().contains("3x30000x30000"), e.getMessage());
    }

    @Test
    void flipAndCropAreTorchvisionsAndReproducible() {
        byte[] px = {1, 2, 3, 4, 5, 6}; // 1 channel, 2 rows, 3 columns
        ImageTransform.horizontalFlip(1.0).apply(px, 1, 2, 3, new SplittableRandom(1));
        assertArrayEquals(new byte[] {3, 2, 1, 6, 5, 4}, px);
        ImageTransform.horizontalFlip(0.0).apply(px, 1, 2, 3, new SplittableRandom(1));
        assertArrayEquals(new byte[] {3, 2, 1, 6, 5, 4}, px);
        // every crop of a padded image shows the image shifted, zeros where the padding shows
        for (int seed = 0; seed < 20; seed++) {
            byte[] img = new byte[16];
            for (int i = 0; i < 16; i++) {
                img[i] = (byte) (i + 1);
            }
            ImageTransform.randomCrop(2).apply(img, 1, 4, 4, new SplittableRandom(seed));
            int nonZero = 0;
            for (byte b : img) {
                nonZero += b != 0 ? 1 : 0;
            }
            assertTrue(nonZero >= 4, "at least the 2x2 centre survives a shift of 2");
        }
    }

    @Test
    void augmentationsRunPerSampleSeededByEpochAndIndex() {
        long baseline = Torch.liveHandles();
        byte[] pixels = new byte[10 * 16];
        int[] labels = new int[10];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (byte) (i % 251 + 1);
        }
        Dataset d = new Dataset("t", pixels, labels, 1, 4, 4, List.of("only"), null);
        List<float[]> a = batches(d, 3, 2, 0);
        assertEquals(a.stream().map(java.util.Arrays::toString).toList(),
                batches(d, 3, 0, 0).stream().map(java.util.Arrays::toString).toList(), "prefetch or not, the same");
        assertEquals(concat(a).length, concat(batches(d, 5, 2, 0)).length);
        assertArrayEquals(concat(a), concat(batches(d, 5, 2, 0)), "the batch size does not change augmentations");
        assertNotEquals(java.util.Arrays.toString(concat(a)), java.util.Arrays.toString(concat(batches(d, 3, 2, 1))),
                "another epoch, other crops");
        assertThrows(IllegalArgumentException.class, () -> DataLoader.builder(d).deviceResident(true)
                .augment(ImageTransform.horizontalFlip(0.5)).build());
        assertEquals(baseline, Torch.liveHandles());
    }

    private static List<float[]> batches(Dataset d, int batch, int prefetch, int epoch) {
        List<float[]> out = new ArrayList<>();
        try (DataLoader l = DataLoader.builder(d).batchSize(batch).prefetch(prefetch).seed(4)
                .augment(ImageTransform.randomCrop(1), ImageTransform.horizontalFlip(0.5)).build()) {
            l.forEachBatch(epoch, b -> out.add(b.images().toFloatArray()));
        }
        return out;
    }

    private static float[] concat(List<float[]> parts) {
        int n = parts.stream().mapToInt(p -> p.length).sum();
        float[] out = new float[n];
        int at = 0;
        for (float[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }
}
