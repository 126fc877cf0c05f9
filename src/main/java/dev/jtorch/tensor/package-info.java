/**
 * Tensors and their lifetimes: {@link dev.jtorch.tensor.Tensor} with every libtorch operator that
 * PyTorch shows as a {@code torch.Tensor} method or {@code torch.X} function (generated from
 * libtorch's schemas at build time, under PyTorch's names; see {@code docs/ops.md}),
 * {@link dev.jtorch.tensor.Linalg} and {@link dev.jtorch.tensor.Special} ({@code torch.linalg},
 * {@code torch.special}), {@link dev.jtorch.tensor.Ops} (any registered operator by schema name),
 * {@link dev.jtorch.tensor.Shape}, and the owners that free native memory deterministically: the
 * thread-confined {@link dev.jtorch.tensor.TensorScope} for an op's results and
 * {@link dev.jtorch.tensor.TensorOwner} for long-lived tensors.
 */
package dev.jtorch.tensor;
