/**
 * Tensors and their lifetimes: {@link dev.jtorch.tensor.Tensor}, {@link dev.jtorch.tensor.Shape}
 * and the thread-confined {@link dev.jtorch.tensor.TensorScope} that frees them.
 */
package dev.jtorch.tensor;
