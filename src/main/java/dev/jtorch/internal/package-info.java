/**
 * The only package that touches the JavaCPP presets: loading, conversions, the native handle and
 * its ops, error translation and handle accounting. Not API and not exported by the
 * {@code dev.jtorch} module; it imports no public package but the root one ({@code DType},
 * {@code Device}, exceptions). {@code dev.jtorch.unsafe.Unsafe} is the documented escape hatch.
 */
package dev.jtorch.internal;
