package dev.jtorch.nn.functional;

/** How a loss reduces its per-sample values, as PyTorch's {@code reduction=} argument. */
public enum Reduction {
    /** One loss per sample, shape {@code [N]}. */
    NONE,
    /** The (weighted) mean over samples; PyTorch's default. */
    MEAN,
    /** The sum over samples. */
    SUM;

    int code() {
        // ATen's at::Reduction enum: None = 0, Mean = 1, Sum = 2
        return ordinal();
    }
}
