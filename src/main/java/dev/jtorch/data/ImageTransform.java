package dev.jtorch.data;

import java.util.random.RandomGenerator;

/**
 * A random augmentation of one image, applied by a {@link DataLoader} to each sample of every
 * training batch in its prefetch thread, before the pixels become floats (so after it come the
 * scaling to [0, 1] and {@link DataLoader.Builder#normalize}), as torchvision's transforms run in
 * a {@code DataLoader}'s workers before {@code ToTensor} and {@code Normalize}.
 *
 * <p>The random generator a transform receives is seeded from (loader seed, epoch, sample), so a
 * run's augmentations repeat exactly, whatever the thread timing or batch size.
 */
@FunctionalInterface
public interface ImageTransform {
    /**
     * Transforms one image in place.
     *
     * @param pixels the image's {@code channels x height x width} bytes (read as 0..255), channel planes
     *     one after another
     * @param random this sample's generator: draw from it, never from a shared one
     */
    void apply(byte[] pixels, int channels, int height, int width, RandomGenerator random);

    /**
     * torchvision's {@code RandomHorizontalFlip(p)}: mirrors the image left to right with
     * probability {@code p}.
     *
     * @throws IllegalArgumentException if {@code p} is outside [0, 1]
     */
    static ImageTransform horizontalFlip(double p) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException("horizontalFlip: p must be in [0, 1], got " + p);
        }
        return (px, c, h, w, random) -> {
            if (random.nextDouble() >= p) {
                return;
            }
            for (int row = 0; row < c * h; row++) {
                int a = row * w;
                for (int i = 0, j = w - 1; i < j; i++, j--) {
                    byte t = px[a + i];
                    px[a + i] = px[a + j];
                    px[a + j] = t;
                }
            }
        };
    }

    /**
     * torchvision's {@code RandomCrop(size=(H, W), padding)}: pads every side with {@code padding}
     * zero pixels, then cuts an {@code H x W} window at a uniformly drawn offset.
     *
     * @throws IllegalArgumentException if {@code padding} is negative
     */
    static ImageTransform randomCrop(int padding) {
        if (padding < 0) {
            throw new IllegalArgumentException("randomCrop: padding must be >= 0, got " + padding);
        }
        return (px, c, h, w, random) -> {
            // offset of the window in the padded image, minus the padding: the shift of the content
            int dy = random.nextInt(2 * padding + 1) - padding;
            int dx = random.nextInt(2 * padding + 1) - padding;
            if (dx == 0 && dy == 0) {
                return;
            }
            byte[] src = px.clone();
            for (int ch = 0; ch < c; ch++) {
                int plane = ch * h * w;
                for (int y = 0; y < h; y++) {
                    int sy = y + dy;
                    for (int x = 0; x < w; x++) {
                        int sx = x + dx;
                        px[plane + y * w + x] = sy >= 0 && sy < h && sx >= 0 && sx < w ? src[plane + sy * w + sx] : 0;
                    }
                }
            }
        };
    }
}
