package dev.jtorch.data;

import dev.jtorch.tensor.Tensor;

/**
 * One mini-batch from a {@link Loader}: inputs and their targets.
 *
 * <p>Ownership: both tensors belong to the {@link dev.jtorch.tensor.TensorScope} that was current
 * on the consuming thread when the iterator's {@code next()} returned them, so a
 * {@code try (var s = TensorScope.open())} around each training step frees them with the step's
 * other tensors.
 *
 * @param images the inputs, {@code [size, ...]} on the loader's device; from a {@link DataLoader},
 *     float32 {@code [size, C, H, W]}: pixel / 255, then {@code (x - mean[c]) / std[c]} when the
 *     loader normalises
 * @param labels the targets, {@code [size, ...]} on the same device: int64 class indices
 *     {@code [size]} from a {@link DataLoader}, int64 or float32 from a {@link TensorLoader}
 * @param size the number of samples, {@code images.size(0)}; the last batch of an epoch may be
 *     smaller than the batch size unless the loader drops it
 */
public record Batch(Tensor images, Tensor labels, int size) {
    /** The inputs: {@link #images()} under the name that fits a batch of any data. */
    public Tensor inputs() {
        return images;
    }

    /** The targets: {@link #labels()} under the name that fits a batch of any data. */
    public Tensor targets() {
        return labels;
    }
}
