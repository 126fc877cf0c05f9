/**
 * Data sets and mini-batches: readers for MNIST-format IDX files ({@link dev.jtorch.data.Idx}),
 * CIFAR-10 binary batches ({@link dev.jtorch.data.Cifar10}) and PNG/JPEG images
 * ({@link dev.jtorch.data.ImageFiles}); the in-memory {@link dev.jtorch.data.Dataset};
 * {@link dev.jtorch.data.DataSets} to find and load a folder or the default Fashion-MNIST; and
 * {@link dev.jtorch.data.DataLoader}, which shuffles reproducibly and turns samples into tensors.
 *
 * <p>Every defect in a file is a {@link dev.jtorch.data.DataException} whose one-line message names
 * the file and the defect. Only the loader touches native memory: its batches belong to the
 * consumer's current {@link dev.jtorch.tensor.TensorScope}; its device-resident copy is freed by
 * {@code DataLoader.close()}.
 */
package dev.jtorch.data;
