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
    FLOAT32,
    /** {@code torch.float64}, 8 bytes. */
    FLOAT64,
    /** {@code torch.float16} (IEEE half), 2 bytes. */
    FLOAT16,
    /** {@code torch.bfloat16}, 2 bytes. */
    BFLOAT16,
    /** {@code torch.uint8}, 1 byte. */
    UINT8,
    /** {@code torch.int8}, 1 byte. */
    INT8,
    /** {@code torch.int16}, 2 bytes. */
    INT16,
    /** {@code torch.int32}, 4 bytes. */
    INT32,
    /** {@code torch.int64}, 8 bytes; class-index targets use it. */
    INT64,
    /** {@code torch.bool}, 1 byte. */
    BOOL;

    /** Bytes per element. */
    public int byteSize() {
        return switch (this) {
            case FLOAT64, INT64 -> 8;
            case FLOAT32, INT32 -> 4;
            case FLOAT16, BFLOAT16, INT16 -> 2;
            case UINT8, INT8, BOOL -> 1;
        };
    }

    /** True for the floating-point types, the only ones that can require gradients. */
    public boolean isFloatingPoint() {
        return switch (this) {
            case FLOAT32, FLOAT64, FLOAT16, BFLOAT16 -> true;
            case UINT8, INT8, INT16, INT32, INT64, BOOL -> false;
        };
    }

    /** PyTorch's spelling, e.g. {@code float32}. */
    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
