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
 * layers"); the TorchScript copy reorders once (docs/design.md, "oneDNN convolutions"). The packed form is rebuilt when the weight's storage, version counter
 * (an in-place update: an optimizer step, a loaded state dict) or the convolution's settings change,
 * and freed by {@link #close()} (the layer's). A forward that holds it keeps it alive across a
 * concurrent rebuild or close ({@link NativeTensor}'s use count).
 */
public final class PackedConvWeight implements AutoCloseable {
    private NativeTensor packed;
    private long dataPointer;
    private long version;
    private long[] key;
    private boolean closed;

    /**
     * The packed form of {@code w} for these settings with a use held (the caller calls
     * {@link NativeTensor#release()}), or null when it cannot be made (the caller then passes the
     * plain weight, as for a weight made in inference mode, whose in-place changes nothing counts).
     */
    synchronized NativeTensor acquire(Tensor w, long[] stride, long[] padding, long[] dilation, long groups) {
        if (closed || w.is_inference()) {
            return null; // an inference tensor has no version counter to tell an in-place change
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
