/**
 * Thread-local autograd guards: {@link dev.jtorch.autograd.NoGrad} and
 * {@link dev.jtorch.autograd.InferenceMode}, closed with try-with-resources.
 */
package dev.jtorch.autograd;
