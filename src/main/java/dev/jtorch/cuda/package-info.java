/**
 * Explicit CUDA device memory: {@link dev.jtorch.cuda.Cuda} exposes libtorch's caching allocator
 * (allocated, reserved and peak bytes, emptying the cache, a per-process memory cap) and device
 * synchronisation. On the CPU build every call answers cleanly: see {@link dev.jtorch.cuda.Cuda}.
 */
package dev.jtorch.cuda;
