package dev.jtorch.tensor;

import java.util.List;

/**
 * The named results of one operator, such as {@code max(dim)}'s {@code (values, indices)}: a record
 * whose components are PyTorch's result names.
 */
public interface TensorTuple {
    /** The results in PyTorch's order. */
    List<Tensor> toList();
}
