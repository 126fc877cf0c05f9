package dev.jtorch.distributed;

/** How {@link ProcessGroup#allReduce(ReduceOp, dev.jtorch.tensor.Tensor...)} combines the ranks' values, elementwise. */
public enum ReduceOp {
    /** The sum. */
    SUM,
    /** The product. */
    PRODUCT,
    /** The minimum. */
    MIN,
    /** The maximum. */
    MAX
}
