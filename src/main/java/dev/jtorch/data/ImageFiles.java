package dev.jtorch.data;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/**
 * Reads PNG and JPEG images (through {@code javax.imageio}) into pixel bytes of a fixed size.
 *
 * <p>Colour becomes luminance with Pillow's {@code convert("L")} weights (ITU-R 601-2:
 * {@code (19595 R + 38470 G + 7471 B + 32768) >> 16}), so Java and Python see the same bytes;
 * grey images are taken as stored (their raster, not {@code getRGB}, which would apply a gamma
 * conversion). Nothing is inverted, nothing resized: a wrong size is an error.
 */
public final class ImageFiles {
    private ImageFiles() {}

    /**
     * The image as {@code height x width} grey bytes (0..255), row-major.
     *
     * @throws DataException naming the file: missing, not a PNG/JPEG, undecodable, or of another
     *     size (its actual width x height named)
     */
    public static byte[] readGray(Path file, int height, int width) {
        return gray(decode(file, height, width), height, width);
    }

    /**
     * An encoded PNG/JPEG image held in memory (an upload, say) as {@code height x width} grey
     * bytes, exactly as {@link #readGray(Path, int, int)} reads a file.
     *
     * @param source what to name in errors, e.g. {@code "request body"}
     * @throws DataException naming {@code source}: not a PNG/JPEG, undecodable, or of another size
     */
    public static byte[] readGray(byte[] encoded, String source, int height, int width) {
        return gray(decode(encoded, source, height, width), height, width);
    }

    /**
     * An encoded PNG/JPEG image held in memory as {@code 3 x height x width} bytes, exactly as
     * {@link #readRgb(Path, int, int)} reads a file.
     *
     * @throws DataException as {@link #readGray(byte[], String, int, int)}
     */
    public static byte[] readRgb(byte[] encoded, String source, int height, int width) {
        return rgb(decode(encoded, source, height, width), height, width);
    }

    private static byte[] gray(BufferedImage img, int height, int width) {
        byte[] out = new byte[height * width];
        if (isGray(img)) {
            Raster r = img.getRaster();
            int bits = img.getColorModel().getComponentSize(0);
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    out[y * width + x] = (byte) scale(r.getSample(x, y, 0), bits);
                }
            }
        } else {
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    int rgb = img.getRGB(x, y);
                    out[y * width + x] = (byte) luminance((rgb >> 16) & 0xFF, (rgb >> 8) & 0xFF, rgb & 0xFF);
                }
            }
        }
        return out;
    }

    /**
     * The image as {@code 3 x height x width} bytes: the red plane, then green, then blue (the
     * CIFAR-10 layout); a grey image fills all three planes with its grey value.
     *
     * @throws DataException as {@link #readGray}
     */
    public static byte[] readRgb(Path file, int height, int width) {
        return rgb(decode(file, height, width), height, width);
    }

    private static byte[] rgb(BufferedImage img, int height, int width) {
        int plane = height * width;
        byte[] out = new byte[3 * plane];
        boolean gray = isGray(img);
        Raster r = img.getRaster();
        int bits = img.getColorModel().getComponentSize(0);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int i = y * width + x;
                if (gray) {
                    byte g = (byte) scale(r.getSample(x, y, 0), bits);
                    out[i] = g;
                    out[plane + i] = g;
                    out[2 * plane + i] = g;
                } else {
                    int rgb = img.getRGB(x, y);
                    out[i] = (byte) (rgb >> 16);
                    out[plane + i] = (byte) (rgb >> 8);
                    out[2 * plane + i] = (byte) rgb;
                }
            }
        }
        return out;
    }

    /** Pillow's {@code L} conversion of one RGB pixel. */
    static int luminance(int r, int g, int b) {
        return (r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16;
    }

    private static BufferedImage decode(Path file, int height, int width) {
        if (!Files.exists(file)) {
            throw new DataException(file, "missing file");
        }
        if (Files.isDirectory(file)) {
            throw new DataException(file, "is a folder, expected a PNG or JPEG image");
        }
        BufferedImage img;
        try {
            img = ImageIO.read(file.toFile());
        } catch (IOException | RuntimeException e) {
            throw new DataException(file, "cannot decode the image: " + e.getMessage(), e);
        }
        return checked(img, file, height, width);
    }

    private static BufferedImage decode(byte[] encoded, String source, int height, int width) {
        Path name = Path.of(source);
        BufferedImage img;
        try {
            img = ImageIO.read(new java.io.ByteArrayInputStream(encoded));
        } catch (IOException | RuntimeException e) {
            throw new DataException(name, "cannot decode the image: " + e.getMessage(), e);
        }
        return checked(img, name, height, width);
    }

    private static BufferedImage checked(BufferedImage img, Path file, int height, int width) {
        if (img == null) {
            throw new DataException(file, "not a PNG or JPEG image (no image reader recognises its content)");
        }
        if (img.getWidth() != width || img.getHeight() != height) {
            throw new DataException(file, "image is " + img.getWidth() + "x" + img.getHeight()
                    + " (width x height), expected " + width + "x" + height);
        }
        return img;
    }

    private static boolean isGray(BufferedImage img) {
        ColorModel cm = img.getColorModel();
        return cm.getColorSpace().getType() == ColorSpace.TYPE_GRAY && cm.getNumColorComponents() == 1
                && !(cm instanceof java.awt.image.IndexColorModel);
    }

    /** A grey sample of {@code bits} bits mapped to 0..255 (16-bit keeps the high byte, as Pillow does). */
    private static int scale(int v, int bits) {
        if (bits == 8) {
            return v;
        }
        if (bits > 8) {
            return v >> (bits - 8);
        }
        return v * 255 / ((1 << bits) - 1);
    }
}
