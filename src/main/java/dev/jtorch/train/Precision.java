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
    static Precision of(String amp, Device device) {
        switch (amp) {
            case "bf16":
                Autocast.checkSupported(device, DType.BFLOAT16);
                return new Precision(device, DType.BFLOAT16);
            case "f16":
                if (!device.isCuda()) {
                    // float16 autocast trains several times slower than float32 on CPU (libtorch has no
                    // fast CPU float16 GEMM; docs/benchmarks.md), and float16 needs loss scaling
                    throw new IllegalArgumentException("--amp f16 is for CUDA: libtorch's CPU float16 kernels are"
                            + " several times slower than float32 here; use --amp bf16 on CPU");
                }
                Autocast.checkSupported(device, DType.FLOAT16);
                return new Precision(device, DType.FLOAT16);
            default:
                return new Precision(device, null);
        }
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
