/**
 * Weight initialisation, as PyTorch's {@code torch.nn.init}: in-place fills of parameters
 * ({@link dev.jtorch.nn.init.Init#kaimingUniform_}, {@link dev.jtorch.nn.init.Init#xavierNormal_},
 * {@link dev.jtorch.nn.init.Init#orthogonal_}, ...) with PyTorch's formulas and defaults, and the
 * helpers they rest on ({@link dev.jtorch.nn.init.Init#calculateGain},
 * {@link dev.jtorch.nn.init.Init#calculateFanInAndFanOut}).
 */
package dev.jtorch.nn.init;
