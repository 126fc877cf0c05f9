/**
 * Plumbing between {@code dev.jtorch.tensor} and jtorch's other packages: access to a tensor's
 * native handle for native fast paths. Not exported by the {@code dev.jtorch} module; not API.
 */
package dev.jtorch.tensor.access;
