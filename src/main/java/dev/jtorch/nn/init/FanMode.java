package dev.jtorch.nn.init;

/** Which fan Kaiming initialisation keeps the variance of: PyTorch's {@code mode='fan_in'|'fan_out'}. */
public enum FanMode {
    /** The forward pass's variance (PyTorch's default). */
    FAN_IN,
    /** The backward pass's variance. */
    FAN_OUT
}
