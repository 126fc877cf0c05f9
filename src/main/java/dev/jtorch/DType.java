package dev.jtorch;

import java.util.Locale;

/**
 * Element type of a tensor, named as in PyTorch ({@code torch.float32} is {@link #FLOAT32}).
 *
 * <p>Half and bfloat16 tensors are stored natively; Java arrays read from them are widened to
 * {@code float[]}.
 */
public enum DType {
    /** {@code torch.float32}, 4 bytes. */
    FLOAT32(4, true),
    /** {@code torch.float64}, 8 bytes. */
    FLOAT64(8, true),
    /** {@code torch.float16} (IEEE half), 2 bytes. */
    FLOAT16(2, true),
    /** {@code torch.bfloat16}, 2 bytes. */
    BFLOAT16(2, true),
    /** {@code torch.uint8}, 1 byte. */
    UINT8(1, false),
    /** {@code torch.int8}, 1 byte. */
    INT8(1, false),
    /** {@code torch.int16}, 2 bytes. */
    INT16(2, false),
    /** {@code torch.int32}, 4 bytes. */
    INT32(4, false),
    /** {@code torch.int64}, 8 bytes; class-index targets use it. */
    INT64(8, false),
    /** {@code torch.bool}, 1 byte. */
    BOOL(1, false);

    private final int byteSize;
    private final boolean floatingPoint;

    DType(int byteSize, boolean floatingPoint) {
        this.byteSize = byteSize;
        this.floatingPoint = floatingPoint;
    }

    /** Bytes per element. */
    public int byteSize() {
        return byteSize;
    }

    /** True for the floating-point types, the only ones that can require gradients. */
    public boolean isFloatingPoint() {
        return floatingPoint;
    }

    /** PyTorch's spelling, e.g. {@code float32}. */
    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
