package dev.jtorch.cuda;

/**
 * A snapshot of libtorch's CUDA caching allocator on one device, as {@code torch.cuda.memory_stats}
 * reports it for the aggregate pool.
 *
 * @param device the CUDA ordinal
 * @param allocatedBytes bytes currently handed out to tensors ({@code torch.cuda.memory_allocated})
 * @param reservedBytes bytes currently held from the driver, used or cached ({@code memory_reserved})
 * @param peakAllocatedBytes the most ever allocated since start or {@link Cuda#resetPeakStats}
 *     ({@code max_memory_allocated})
 * @param peakReservedBytes the most ever reserved since start or {@link Cuda#resetPeakStats}
 *     ({@code max_memory_reserved})
 * @param outOfMemoryCount how many allocations failed even after freeing the cache ({@code num_ooms})
 */
public record MemoryStats(int device, long allocatedBytes, long reservedBytes, long peakAllocatedBytes,
                          long peakReservedBytes, long outOfMemoryCount) {

    /** Bytes reserved from the driver but not handed out: what {@link Cuda#emptyCache()} can return. */
    public long cachedBytes() {
        return reservedBytes - allocatedBytes;
    }
}
