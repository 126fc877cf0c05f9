/**
 * jtorch: libtorch from Java with deterministic native memory.
 *
 * <p>The root package holds the value types ({@link dev.jtorch.Device}, {@link dev.jtorch.DType}),
 * process-wide settings ({@link dev.jtorch.Torch}) and the exceptions every native failure becomes
 * ({@link dev.jtorch.TorchException}).
 */
package dev.jtorch;
