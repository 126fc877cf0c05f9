package dev.jtorch.data;

import java.util.List;
import java.util.SplittableRandom;

/**
 * The host path's batch assembly: a {@link Dataset}'s samples, augmented, turned into float32
 * pixels through a per-channel table, with their int64 labels, as Java arrays.
 */
final class ImageBatches {
    private final Dataset data;
    /** {@code lut[c * 256 + p]}: the float32 value of pixel byte p in channel c. */
    private final float[] lut;
    /** The augmentations, or null for none. */
    private final List<ImageTransform> transforms;
    private final long seed;

    /**
     * @param mean one value per channel, or null for no normalisation
     * @param std one value per channel, or null with {@code mean}
     * @param transforms the augmentations, in order (empty for none)
     * @param seed the loader's seed, from which each sample's augmentations are drawn
     */
    ImageBatches(Dataset data, double[] mean, double[] std, List<ImageTransform> transforms, long seed) {
        this.data = data;
        this.lut = table(data.channels(), mean, std);
        this.transforms = transforms.isEmpty() ? null : transforms;
        this.seed = seed;
    }

    /** Whether the batches are augmented. */
    boolean augments() {
        return transforms != null;
    }

    /**
     * The pixel value table: pixel / 255 in float32, then {@code (x - mean) / std} in float32 — the
     * arithmetic of torchvision's {@code ToTensor()} + {@code Normalize(mean, std)}.
     */
    private static float[] table(int channels, double[] mean, double[] std) {
        float[] t = new float[channels * 256];
        for (int c = 0; c < channels; c++) {
            for (int p = 0; p < 256; p++) {
                float v = p / 255f;
                if (mean != null) {
                    v = (v - (float) mean[c]) / (float) std[c];
                }
                t[c * 256 + p] = v;
            }
        }
        return t;
    }

    /** The batches of one pass of epoch {@code epoch}, in {@code order} as cut by {@code sampler}. */
    Prefetcher.Source pass(Sampler sampler, int[] order, int epoch) {
        Augment augment = transforms == null ? null : new Augment(transforms, seed, epoch);
        return (b, reuse) -> assemble(sampler.batch(order, b), augment, reuse);
    }

    /**
     * The augmentations of one pass: each sample's generator is seeded from (loader seed, epoch,
     * sample index), so they do not depend on threads, batch size or the order of the passes.
     */
    private record Augment(List<ImageTransform> transforms, long seed, int epoch) {
        void apply(byte[] sample, int c, int h, int w, int index) {
            SplittableRandom r = new SplittableRandom(
                    seed * 0x9E3779B97F4A7C15L ^ ((long) epoch << 32 | (index & 0xFFFFFFFFL)) * 0xBF58476D1CE4E5B9L);
            for (ImageTransform t : transforms) {
                t.apply(sample, c, h, w, r);
            }
        }
    }

    /** Samples {@code index}, augmented, pixels through the table; fills {@code reuse} when it fits. */
    private HostBatch assemble(int[] index, Augment augment, float[] reuse) {
        int n = index.length;
        int c = data.channels();
        int plane = data.height() * data.width();
        int s = c * plane;
        byte[] src = data.pixelArray();
        int[] srcLabels = data.labelArray();
        float[] px = reuse != null && reuse.length == n * s ? reuse : new float[n * s];
        long[] labels = new long[n];
        byte[] scratch = augment == null ? null : new byte[s];
        for (int k = 0; k < n; k++) {
            int i = index[k];
            labels[k] = srcLabels[i];
            int in = i * s;
            byte[] sample = src;
            if (augment != null) {
                System.arraycopy(src, in, scratch, 0, s);
                augment.apply(scratch, c, data.height(), data.width(), i);
                sample = scratch;
                in = 0;
            }
            int out = k * s;
            for (int ch = 0; ch < c; ch++) {
                int base = ch * 256;
                for (int q = 0; q < plane; q++) {
                    px[out + q] = lut[base + (sample[in + q] & 0xFF)];
                }
                in += plane;
                out += plane;
            }
        }
        return new HostBatch(px, new long[] {n, c, data.height(), data.width()}, labels, new long[] {n});
    }
}
