/**
 * Stateless network functions ({@link dev.jtorch.nn.functional.F}): activations, softmax and
 * losses, all libtorch's own kernels.
 */
package dev.jtorch.nn.functional;
