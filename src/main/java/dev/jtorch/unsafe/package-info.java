/**
 * The loud escape hatch to the JavaCPP presets ({@link dev.jtorch.unsafe.Unsafe}): unsupported,
 * unchecked, and the only exported package whose signatures show {@code org.bytedeco} types.
 */
package dev.jtorch.unsafe;
