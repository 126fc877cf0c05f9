/**
 * Automatic mixed precision: {@link dev.jtorch.amp.Autocast} (libtorch's per-op autocast to
 * bfloat16 or float16, thread-local, try-with-resources) and {@link dev.jtorch.amp.GradScaler}
 * (dynamic loss scaling for float16 training).
 */
package dev.jtorch.amp;
