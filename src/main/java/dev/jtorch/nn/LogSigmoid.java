package dev.jtorch.nn;

import dev.jtorch.nn.functional.F;

/**
 * {@code log(1 / (1 + exp(-x)))}, computed stably, as PyTorch's {@code nn.LogSigmoid}; any shape, no parameters.
 */
public final class LogSigmoid extends ElementwiseActivation {
    /** {@code nn.LogSigmoid()}. */
    public LogSigmoid() {
        super(F::logsigmoid);
    }
}
