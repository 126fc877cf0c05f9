package dev.jtorch;

/**
 * How a tensor's elements are laid out in memory, named as in PyTorch
 * ({@code torch.channels_last} is {@link #CHANNELS_LAST}).
 *
 * <p>Ops that take a {@code memory_format} ({@code contiguous}, {@code clone}, {@code emptyLike},
 * {@code to}, ...) accept one of these; {@link dev.jtorch.tensor.Tensor#isContiguous(MemoryFormat)}
 * asks whether a tensor is dense in that order, and {@link dev.jtorch.nn.Module#to(MemoryFormat)}
 * converts a model's 4-D (or 5-D) parameters and buffers.
 */
public enum MemoryFormat {
    /** {@code torch.contiguous_format}: row-major in the tensor's own dimension order (NCHW). */
    CONTIGUOUS,
    /** {@code torch.preserve_format}: keep the input's layout where the op can (clone, the {@code *_like} factories). */
    PRESERVE,
    /** {@code torch.channels_last}: 4-D tensors stored as NHWC, the shape still {@code [N, C, H, W]}. */
    CHANNELS_LAST,
    /** {@code torch.channels_last_3d}: 5-D tensors stored as NDHWC. */
    CHANNELS_LAST_3D
}
