package dev.jtorch.nn;

import java.util.Objects;

/**
 * The configuration of a {@link Conv1d}, as the arguments of PyTorch's {@code nn.Conv1d}.
 *
 * <pre>{@code
 * new Conv1d(new Conv1dOptions(16, 32, 5).withPadding("same").withPaddingMode(PaddingMode.REFLECT));
 * }</pre>
 *
 * @param inChannels input channels {@code C_in}, positive and divisible by {@code groups}
 * @param outChannels output channels {@code C_out}, positive and divisible by {@code groups}
 * @param kernelSize positive
 * @param stride positive; default 1 (and 1 with {@code "same"} padding, as PyTorch requires)
 * @param padding elements added on both sides, non-negative; default 0; ignored when
 *     {@code paddingName} is given
 * @param paddingName null for numeric padding, or PyTorch's {@code "same"} (output length = input
 *     length; the extra element of an odd total padding goes on the right) or {@code "valid"} (no padding)
 * @param dilation positive; default 1
 * @param groups blocked connections from input to output channels; default 1
 * @param bias whether the layer adds a learnable bias; default true
 * @param paddingMode what the padding holds; default {@link PaddingMode#ZEROS}
 */
public record Conv1dOptions(long inChannels, long outChannels, long kernelSize, long stride, long padding,
                            String paddingName, long dilation, long groups, boolean bias, PaddingMode paddingMode)
        implements Conv1dOptionsCopies {

    /**
     * Validates the options.
     *
     * @throws IllegalArgumentException naming the bad value if a size is out of range, the channels
     *     are not divisible by {@code groups}, the padding name is unknown, or {@code "same"} is
     *     combined with a stride other than 1
     */
    public Conv1dOptions {
        LayerInit.positive(inChannels, "Conv1d", "in_channels");
        LayerInit.positive(outChannels, "Conv1d", "out_channels");
        LayerInit.positive(kernelSize, "Conv1d", "kernel_size");
        LayerInit.positive(stride, "Conv1d", "stride");
        LayerInit.nonNegative(padding, "Conv1d", "padding");
        LayerInit.positive(dilation, "Conv1d", "dilation");
        LayerInit.positive(groups, "Conv1d", "groups");
        Objects.requireNonNull(paddingMode, "paddingMode");
        if (inChannels % groups != 0 || outChannels % groups != 0) {
            throw new IllegalArgumentException("Conv1d in_channels (" + inChannels + ") and out_channels (" + outChannels
                    + ") must both be divisible by groups (" + groups + ")");
        }
        if (paddingName != null) {
            if (!paddingName.equals("same") && !paddingName.equals("valid")) {
                throw new IllegalArgumentException("Conv1d padding must be a length or \"same\" or \"valid\", got \""
                        + paddingName + "\"");
            }
            if (paddingName.equals("same") && stride != 1) {
                throw new IllegalArgumentException("Conv1d padding=\"same\" is not supported for strided convolutions"
                        + " (stride " + stride + ")");
            }
            padding = 0;
        }
    }

    /** {@code nn.Conv1d(in, out, k)}: stride 1, no padding, dilation 1, one group, with bias, zero padding. */
    public Conv1dOptions(long inChannels, long outChannels, long kernelSize) {
        this(inChannels, outChannels, kernelSize, 1, 0, null, 1, 1, true, PaddingMode.ZEROS);
    }

    /**
     * The (left, right) padding this configuration adds: {@code (p, p)}; for {@code "same"} the
     * total {@code dilation * (kernelSize - 1)} split with the odd element on the right, as PyTorch.
     */
    public long[] leftRightPadding() {
        if ("same".equals(paddingName)) {
            long total = dilation * (kernelSize - 1);
            return new long[] {total / 2, total - total / 2};
        }
        return new long[] {padding, padding};
    }

    /** PyTorch's repr of the layer's arguments: {@code 3, 4, kernel_size=(3,), stride=(1,)}. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder().append(inChannels).append(", ").append(outChannels)
                .append(", kernel_size=(").append(kernelSize).append(",), stride=(").append(stride).append(",)");
        if (paddingName != null) {
            sb.append(", padding=").append(paddingName);
        } else if (padding != 0) {
            sb.append(", padding=(").append(padding).append(",)");
        }
        if (dilation != 1) {
            sb.append(", dilation=(").append(dilation).append(",)");
        }
        if (groups != 1) {
            sb.append(", groups=").append(groups);
        }
        if (!bias) {
            sb.append(", bias=False");
        }
        if (paddingMode != PaddingMode.ZEROS) {
            sb.append(", padding_mode=").append(paddingMode.pytorchName());
        }
        return sb.toString();
    }
}
