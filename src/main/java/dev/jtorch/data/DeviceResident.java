package dev.jtorch.data;

import dev.jtorch.DType;
import dev.jtorch.Device;
import dev.jtorch.internal.NativeTensor;
import dev.jtorch.tensor.Shape;
import dev.jtorch.tensor.Tensor;
import dev.jtorch.tensor.TensorOwner;
import dev.jtorch.tensor.TensorScope;
import dev.jtorch.tensor.access.TensorAccess;

/**
 * A {@link Dataset} copied to a device once, as uint8 pixels and int64 labels, from which batches
 * are gathered there with {@code indexSelect} and converted by the same float32 arithmetic as
 * {@link ImageBatches}' table, so both give bit-identical batches. Its tensors live until
 * {@link #close()}.
 */
final class DeviceResident implements AutoCloseable {
    /** Owns the tensors below; close() may come from any thread. */
    private final TensorOwner owner = TensorOwner.ofShared();
    private final Device device;
    private final Tensor pixels;
    private final Tensor labels;
    /** {@code [1, C, 1, 1]}, or null without normalisation. */
    private final Tensor mean;
    private final Tensor std;

    /**
     * Copies {@code data} to {@code device}.
     *
     * @param mean one value per channel, or null for no normalisation
     * @param std one value per channel, or null with {@code mean}
     */
    DeviceResident(Dataset data, double[] mean, double[] std, Device device) {
        this.device = device;
        String who = "DataLoader(" + data.name() + ")";
        int c = data.channels();
        long[] l = new long[data.size()];
        int[] src = data.labelArray();
        for (int i = 0; i < l.length; i++) {
            l[i] = src[i];
        }
        try {
            pixels = TensorAccess.owned(NativeTensor.ofUnsigned(data.pixelArray(),
                    new long[] {data.size(), c, data.height(), data.width()}, DType.UINT8, device), owner, who + ".pixels");
            labels = TensorAccess.owned(NativeTensor.of(l, new long[] {l.length}, DType.INT64, device), owner,
                    who + ".labels");
            if (mean != null) {
                float[] m = new float[c];
                float[] sd = new float[c];
                for (int i = 0; i < c; i++) {
                    m[i] = (float) mean[i]; // the builder expanded mean/std to one value per channel
                    sd[i] = (float) std[i];
                }
                this.mean = TensorAccess.owned(NativeTensor.of(m, new long[] {1, c, 1, 1}, DType.FLOAT32, device), owner,
                        who + ".mean");
                this.std = TensorAccess.owned(NativeTensor.of(sd, new long[] {1, c, 1, 1}, DType.FLOAT32, device), owner,
                        who + ".std");
            } else {
                this.mean = null;
                this.std = null;
            }
        } catch (RuntimeException | Error e) {
            owner.close();
            throw e;
        }
    }

    /** Samples {@code index} as a batch owned by the current scope. */
    Batch gather(int[] index) {
        int n = index.length;
        long[] idx = new long[n];
        for (int k = 0; k < n; k++) {
            idx[k] = index[k];
        }
        try (TensorScope s = TensorScope.open()) {
            Tensor at = Tensor.of(idx, Shape.of(n), DType.INT64, device);
            // the table's float32 arithmetic, op by op: p / 255f, then (v - mean) / std; true division
            // of the uint8 gather gives float32 in one pass (no separate conversion)
            Tensor images = pixels.indexSelect(0, at).div(255);
            if (mean != null) {
                images = images.sub(mean).div(std);
            }
            Tensor l = labels.indexSelect(0, at);
            s.keep(images, l); // to the caller's scope, which is the enclosing one
            return new Batch(images, l, n);
        }
    }

    /** Frees the device copy. Idempotent. */
    @Override
    public void close() {
        owner.close();
    }
}
