/**
 * Optimizers ({@link dev.jtorch.optim.SGD}, {@link dev.jtorch.optim.Adam}) backed by libtorch's
 * {@code torch::optim}; long-lived, closed explicitly.
 */
package dev.jtorch.optim;
