package dev.jtorch.data;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.FileImageInputStream;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * Reads PNG and JPEG images (through {@code javax.imageio}) into pixel bytes of a fixed size.
 *
 * <p>Colour becomes luminance with Pillow's {@code convert("L")} weights (ITU-R 601-2:
 * {@code (19595 R + 38470 G + 7471 B + 32768) >> 16}), so Java and Python see the same bytes;
 * grey images are taken as stored (their raster, not {@code getRGB}, which would apply a gamma
 * conversion). Nothing is inverted, nothing resized: a wrong size is an error.
 *
 * <p><b>Hostile files.</b> The width and height an image declares in its header (PNG's IHDR,
 * JPEG's SOF) are checked before a pixel is decoded: more than {@code maxPixels} (default
 * {@link #DEFAULT_MAX_PIXELS}) or a size other than the one asked for is refused, so a 100-byte
 * file declaring 46000x46000 pixels costs nothing. Metadata chunks are skipped unread, and a
 * truncated or corrupt image (a decoder error, or a decoder warning such as JPEG's "premature
 * end of data", which would otherwise yield a half-grey image) is refused; every refusal is a
 * {@link DataException} naming the file.
 */
public final class ImageFiles {
    /**
     * The default most pixels (width x height) an image may declare: 2^26 = 67,108,864, e.g.
     * 8192x8192, above any camera photo in common use, while its decoded ARGB raster (256 MiB) still
     * fits a default JVM heap.
     */
    public static final long DEFAULT_MAX_PIXELS = 1L << 26;

    private ImageFiles() {}

    /**
     * The image as {@code height x width} grey bytes (0..255), row-major.
     *
     * @throws DataException naming the file: missing, not a PNG/JPEG, undecodable, or of another
     *     size (its actual width x height named)
     */
    public static byte[] readGray(Path file, int height, int width) {
        return readGray(file, height, width, DEFAULT_MAX_PIXELS);
    }

    /**
     * As {@link #readGray(Path, int, int)}, refusing an image that declares more than
     * {@code maxPixels} pixels before decoding it.
     *
     * @throws DataException naming the file, as {@link #readGray(Path, int, int)}, or naming the
     *     declared size and the limit
     * @throws IllegalArgumentException if {@code maxPixels} is not positive
     */
    public static byte[] readGray(Path file, int height, int width, long maxPixels) {
        return gray(decode(file, height, width, maxPixels), height, width);
    }

    /**
     * An encoded PNG/JPEG image held in memory (an upload, say) as {@code height x width} grey
     * bytes, exactly as {@link #readGray(Path, int, int)} reads a file.
     *
     * @param source what to name in errors, e.g. {@code "request body"}
     * @throws DataException naming {@code source}: not a PNG/JPEG, undecodable, or of another size
     */
    public static byte[] readGray(byte[] encoded, String source, int height, int width) {
        return readGray(encoded, source, height, width, DEFAULT_MAX_PIXELS);
    }

    /**
     * As {@link #readGray(byte[], String, int, int)}, refusing an image that declares more than
     * {@code maxPixels} pixels before decoding it.
     *
     * @throws DataException naming {@code source}, as {@link #readGray(byte[], String, int, int)},
     *     or naming the declared size and the limit
     * @throws IllegalArgumentException if {@code maxPixels} is not positive
     */
    public static byte[] readGray(byte[] encoded, String source, int height, int width, long maxPixels) {
        return gray(decode(encoded, source, height, width, maxPixels), height, width);
    }

    /**
     * An encoded PNG/JPEG image held in memory as {@code 3 x height x width} bytes, exactly as
     * {@link #readRgb(Path, int, int)} reads a file.
     *
     * @throws DataException as {@link #readGray(byte[], String, int, int)}
     */
    public static byte[] readRgb(byte[] encoded, String source, int height, int width) {
        return readRgb(encoded, source, height, width, DEFAULT_MAX_PIXELS);
    }

    /**
     * As {@link #readRgb(byte[], String, int, int)} with a pixel limit checked before decoding.
     *
     * @throws DataException as {@link #readGray(byte[], String, int, int, long)}
     * @throws IllegalArgumentException if {@code maxPixels} is not positive
     */
    public static byte[] readRgb(byte[] encoded, String source, int height, int width, long maxPixels) {
        return rgb(decode(encoded, source, height, width, maxPixels), height, width);
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
        return readRgb(file, height, width, DEFAULT_MAX_PIXELS);
    }

    /**
     * As {@link #readRgb(Path, int, int)} with a pixel limit checked before decoding.
     *
     * @throws DataException as {@link #readGray(Path, int, int, long)}
     * @throws IllegalArgumentException if {@code maxPixels} is not positive
     */
    public static byte[] readRgb(Path file, int height, int width, long maxPixels) {
        return rgb(decode(file, height, width, maxPixels), height, width);
    }

    /**
     * The image in {@code file}, of any size, resized to {@code height x width} (bilinear,
     * Java2D's; close to but not bit-identical with PIL's), as {@code channels} planes of bytes:
     * 1 (grey, Pillow's {@code L} conversion) or 3 (RGB). Used for folders of photos
     * ({@link ImageFolder}).
     *
     * @throws DataException naming the file if it is missing, not a PNG/JPEG, corrupt or over
     *     {@code maxPixels}
     * @throws IllegalArgumentException if {@code channels} is not 1 or 3 or a size is not positive
     */
    static byte[] readResized(Path file, int channels, int height, int width, long maxPixels) {
        if ((channels != 1 && channels != 3) || height < 1 || width < 1) {
            throw new IllegalArgumentException("images become 1 or 3 channels of a positive size, got " + channels
                    + "x" + height + "x" + width);
        }
        BufferedImage img = decode(file, -1, -1, maxPixels);
        if (img.getWidth() != width || img.getHeight() != height) {
            BufferedImage scaled = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
            java.awt.Graphics2D g = scaled.createGraphics();
            try {
                g.setRenderingHint(java.awt.RenderingHints.KEY_INTERPOLATION,
                        java.awt.RenderingHints.VALUE_INTERPOLATION_BILINEAR);
                g.drawImage(img, 0, 0, width, height, null);
            } finally {
                g.dispose();
            }
            img = scaled;
        }
        return channels == 1 ? gray(img, height, width) : rgb(img, height, width);
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

    private static BufferedImage decode(Path file, int height, int width, long maxPixels) {
        checkLimit(maxPixels);
        if (!Files.exists(file)) {
            throw new DataException(file, "missing file");
        }
        if (Files.isDirectory(file)) {
            throw new DataException(file, "is a folder, expected a PNG or JPEG image");
        }
        try (ImageInputStream in = new FileImageInputStream(file.toFile())) {
            return decode(in, file, height, width, maxPixels);
        } catch (IOException e) {
            throw new DataException(file, "cannot read the image: " + e.getMessage(), e);
        }
    }

    private static BufferedImage decode(byte[] encoded, String source, int height, int width, long maxPixels) {
        checkLimit(maxPixels);
        Path name = Path.of(source);
        // a memory cache: ImageIO's default for streams is a temporary file per image
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(encoded))) {
            return decode(in, name, height, width, maxPixels);
        } catch (IOException e) {
            throw new DataException(name, "cannot read the image: " + e.getMessage(), e);
        }
    }

    private static void checkLimit(long maxPixels) {
        if (maxPixels < 1) {
            throw new IllegalArgumentException("maxPixels must be positive, got " + maxPixels);
        }
    }

    /**
     * Reads the header, checks the declared size, and only then decodes. The reader is given the
     * stream with {@code ignoreMetadata}: text and profile chunks are skipped, never inflated.
     */
    private static BufferedImage decode(ImageInputStream in, Path file, int height, int width, long maxPixels) {
        Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
        if (!readers.hasNext()) {
            throw new DataException(file, "not a PNG or JPEG image (no image reader recognises its content)");
        }
        ImageReader reader = readers.next();
        StringBuilder warning = new StringBuilder();
        reader.addIIOReadWarningListener((r, message) -> {
            if (warning.length() == 0) {
                warning.append(message);
            }
        });
        try {
            reader.setInput(in, true, true);
            long w = reader.getWidth(0);
            long h = reader.getHeight(0);
            // both are ints, so the product cannot overflow a long
            long pixels = w * h;
            if (w < 1 || h < 1 || pixels > maxPixels) {
                throw new DataException(file, "image declares " + w + "x" + h + " (width x height) = " + pixels
                        + " pixels, over the limit of " + maxPixels + " pixels");
            }
            if (width > 0 && (w != width || h != height)) {
                throw new DataException(file, "image is " + w + "x" + h + " (width x height), expected " + width
                        + "x" + height);
            }
            BufferedImage img = reader.read(0);
            if (warning.length() > 0) {
                throw new DataException(file, "corrupt or truncated image: " + warning);
            }
            if (img == null || img.getWidth() != w || img.getHeight() != h) {
                throw new DataException(file, "corrupt image: decoded size differs from its header");
            }
            return img;
        } catch (IOException e) {
            throw new DataException(file, "corrupt or truncated image: " + describe(e), e);
        } catch (RuntimeException e) {
            if (e instanceof DataException d) {
                throw d;
            }
            // decoders fail on crafted input with whatever runtime exception their code hits
            throw new DataException(file, "corrupt image: cannot decode it (" + describe(e) + ")", e);
        } finally {
            reader.dispose();
        }
    }

    /** The message of {@code e} and of its causes, one line. */
    private static String describe(Throwable e) {
        StringBuilder sb = new StringBuilder();
        for (Throwable t = e; t != null && sb.length() < 300; t = t.getCause()) {
            if (sb.length() > 0) {
                sb.append(": ");
            }
            sb.append(t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName());
            if (t.getCause() == t) {
                break;
            }
        }
        return sb.toString().replace('\n', ' ');
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
