/**
 * Networks as Java classes: {@link dev.jtorch.nn.Module}, layers such as
 * {@link dev.jtorch.nn.Linear}, and the Java {@link dev.jtorch.nn.Sequential}; state-dict keys
 * match PyTorch's.
 */
package dev.jtorch.nn;
