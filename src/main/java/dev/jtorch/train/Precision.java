package dev.jtorch.train;

import dev.jtorch.DType;
import dev.jtorch.Device;
import dev.jtorch.amp.Autocast;
import dev.jtorch.amp.GradScaler;
import dev.jtorch.nn.Module;
import dev.jtorch.tensor.Tensor;

/**
 * A run's mixed precision ({@code --amp}): the autocast dtype on the training device, or none.
 *
 * @param device the device the model runs on
 * @param dtype {@code BFLOAT16}, {@code FLOAT16}, or null for float32 throughout
 */
record Precision(Device device, DType dtype) {
    /**
     * Resolves {@code --amp} for {@code device}.
     *
     * @throws IllegalArgumentException for {@code f16} on CPU, or a dtype the device cannot autocast to
     */
    static Precision of(TrainConfig.Amp amp, Device device) {
        if (amp == TrainConfig.Amp.F16 && !device.isCuda()) {
            // float16 autocast trains several times slower than float32 on CPU (libtorch has no
            // fast CPU float16 GEMM; docs/benchmarks.md), and float16 needs loss scaling
            throw new IllegalArgumentException("--amp f16 is for CUDA: libtorch's CPU float16 kernels are"
                    + " several times slower than float32 here; use --amp bf16 on CPU");
        }
        amp.dtype().ifPresent(dtype -> Autocast.checkSupported(device, dtype));
        return new Precision(device, amp.dtype().orElse(null));
    }

    /**
     * {@code model.forward(x)} under autocast (plain when off); the logits come back as float32,
     * so the loss and the metrics run in float32 (PyTorch's autocast runs cross-entropy in float32
     * too).
     */
    Tensor forward(Module model, Tensor x) {
        if (dtype == null) {
            return model.forward(x);
        }
        Tensor logits;
        try (Autocast a = Autocast.enter(device, dtype)) {
            logits = model.forward(x);
        }
        return logits.to(DType.FLOAT32);
    }

    /** A loss scaler for float16 (closed by the caller), or null when none is needed. */
    GradScaler scaler() {
        return dtype == DType.FLOAT16 ? new GradScaler() : null;
    }
}
