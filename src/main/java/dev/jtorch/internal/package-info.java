/**
 * The only package that touches the JavaCPP presets: loading, conversions, the native handle and
 * its ops, error translation and handle accounting. Not API; {@link dev.jtorch.internal.Unsafe} is
 * the documented escape hatch.
 */
package dev.jtorch.internal;
