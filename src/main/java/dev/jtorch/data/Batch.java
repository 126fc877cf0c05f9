package dev.jtorch.data;

import dev.jtorch.tensor.Tensor;

/**
 * One mini-batch from a {@link DataLoader}.
 *
 * <p>Ownership: both tensors belong to the {@link dev.jtorch.tensor.TensorScope} that was current
 * on the consuming thread when the iterator's {@code next()} returned them, so a
 * {@code try (var s = TensorScope.open())} around each training step frees them with the step's
 * other tensors.
 *
 * @param images float32 {@code [size, C, H, W]} on the loader's device: pixel / 255, then
 *     {@code (x - mean[c]) / std[c]} when the loader normalises
 * @param labels int64 {@code [size]} class indices on the same device
 * @param size the number of samples, {@code images.size(0)}; the last batch of an epoch may be
 *     smaller than the batch size unless the loader drops it
 */
public record Batch(Tensor images, Tensor labels, int size) {}
