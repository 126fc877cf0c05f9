package dev.jtorch.nn;

/** How a convolution pads its input, as PyTorch's {@code padding_mode} argument. */
public enum PaddingMode {
    /** Zeros (PyTorch's default {@code "zeros"}). */
    ZEROS("zeros"),
    /** Mirror without repeating the edge ({@code "reflect"}); the padding must be smaller than the input. */
    REFLECT("reflect"),
    /** Repeat the edge value ({@code "replicate"}). */
    REPLICATE("replicate"),
    /** Wrap around ({@code "circular"}); the padding must not exceed the input. */
    CIRCULAR("circular");

    private final String pytorchName;

    PaddingMode(String pytorchName) {
        this.pytorchName = pytorchName;
    }

    /** PyTorch's name: {@code "zeros"}, {@code "reflect"}, {@code "replicate"} or {@code "circular"}. */
    public String pytorchName() {
        return pytorchName;
    }
}
