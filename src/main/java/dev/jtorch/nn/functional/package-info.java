/**
 * Stateless network functions, PyTorch's {@code torch.nn.functional}:
 * {@link dev.jtorch.nn.functional.F} holds the functions generated from libtorch's operators
 * (activations, softmax, convolutions, pooling, normalisation, losses) plus those PyTorch writes
 * in Python ({@code crossEntropy} with {@link dev.jtorch.nn.functional.CrossEntropyOptions},
 * {@code interpolate}, {@code normalize}, {@code embedding}...); {@link dev.jtorch.nn.functional.Reduction}
 * names a loss's reduction. All run libtorch's own kernels.
 */
package dev.jtorch.nn.functional;
