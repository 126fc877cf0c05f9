package dev.jtorch.internal;

import java.util.Arrays;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.pytorch.LongArrayRefOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * One convolution layer's weight, reordered once into oneDNN's blocked layout for inference.
 *
 * <p>{@code mkldnn_convolution} given a plain weight reorders it at every call, which cost an eager
 * ResNet-18 forward a large share of its time (docs/benchmarks.md, "Eager ResNet-18 from jtorch's
 * layers"); the TorchScript copy reorders once (docs/design.md, "oneDNN convolutions"). The packed
 * form is rebuilt when the weight's storage, version counter (an in-place update: an optimizer
 * step, a loaded state dict) or the convolution's settings change, and freed by {@link #close()}
 * (the layer's). A forward that holds it keeps it alive across a concurrent rebuild or close
 * ({@link NativeTensor}'s use count). 1x1 kernels are never reordered ({@link #reorderable}).
 */
public final class PackedConvWeight implements AutoCloseable {
    private NativeTensor packed;
    private long dataPointer;
    private long version;
    private long[] key;
    private boolean closed;

    /**
     * Whether a {@code kh x kw} kernel's weight may be handed to oneDNN pre-reordered: not 1x1, whose
     * pre-reordered weights oneDNN's jit_1x1 kernel got wrong for 256 and more input channels
     * (OneDnnProbe fwd -Dprepack=none: 6 of 68 network shapes, all 1x1); the plain weight is right there.
     */
    static boolean reorderable(long kh, long kw) {
        return kh * kw > 1;
    }

    /**
     * The packed form of {@code w} for these settings with a use held (the caller calls
     * {@link NativeTensor#release()}), or null where the plain weight must be passed instead: a 1x1
     * kernel ({@link #reorderable}), a weight made in inference mode (no version counter tells its
     * in-place changes), or a reorder that failed.
     */
    synchronized NativeTensor acquire(Tensor w, long[] stride, long[] padding, long[] dilation, long groups) {
        if (closed || w.is_inference() || !reorderable(w.size(2), w.size(3))) {
            return null;
        }
        long pointer;
        try (Pointer p = w.data_ptr()) {
            pointer = p.address();
        }
        long v = w._version();
        long[] k = settings(w, stride, padding, dilation, groups);
        if (packed == null || pointer != dataPointer || v != version || !Arrays.equals(k, key)) {
            NativeTensor fresh;
            try (Tensor dense = w.contiguous(); Tensor opaque = dense.to_mkldnn();
                 LongArrayRefOptional anySize = new LongArrayRefOptional()) {
                fresh = NativeTensor.own(torch.mkldnn_reorder_conv2d_weight(opaque, padding, stride, dilation, groups,
                        anySize));
            } catch (RuntimeException e) {
                return null;
            }
            free();
            packed = fresh;
            dataPointer = pointer;
            version = v;
            key = k;
        }
        packed.acquire();
        return packed;
    }

    private static long[] settings(Tensor w, long[] stride, long[] padding, long[] dilation, long groups) {
        long[] s = OneDnn.shape(w);
        long[] k = Arrays.copyOf(s, s.length + 7);
        k[s.length] = stride[0];
        k[s.length + 1] = stride[1];
        k[s.length + 2] = padding[0];
        k[s.length + 3] = padding[1];
        k[s.length + 4] = dilation[0];
        k[s.length + 5] = dilation[1];
        k[s.length + 6] = groups;
        return k;
    }

    private void free() {
        if (packed != null) {
            packed.close(); // freed once a forward still holding it releases it
            packed = null;
        }
    }

    /** Frees the packed weight; later calls get null. Idempotent. */
    @Override
    public synchronized void close() {
        closed = true;
        free();
    }
}
