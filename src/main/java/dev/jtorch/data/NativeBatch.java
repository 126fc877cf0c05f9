package dev.jtorch.data;

import dev.jtorch.Device;
import dev.jtorch.internal.NativeTensor;
import dev.jtorch.tensor.Tensor;
import dev.jtorch.tensor.access.TensorAccess;

/**
 * A batch gathered from a {@link DeviceResident} set on a prefetch thread, as unscoped native
 * handles: it owns them until {@link #toBatch} gives them to the consumer's scope or
 * {@link #discard()} frees them.
 *
 * @param images the inputs, already on the loader's device
 * @param labels the int64 labels
 * @param size samples in the batch
 */
record NativeBatch(NativeTensor images, NativeTensor labels, int size) implements Prepared {
    /** The handles wrapped in tensors of the current scope; {@code device} is where they already are. */
    @Override
    public Batch toBatch(Device device) {
        Tensor x;
        try {
            x = TensorAccess.scoped(images, "DataLoader.next"); // closes images itself if it fails
        } catch (RuntimeException | Error e) {
            labels.close();
            throw e;
        }
        try {
            return new Batch(x, TensorAccess.scoped(labels, "DataLoader.next"), size);
        } catch (RuntimeException | Error e) {
            x.close();
            throw e;
        }
    }

    @Override
    public void discard() {
        images.close();
        labels.close();
    }
}
