package dev.jtorch.distributed;

import dev.jtorch.Device;
import java.util.Locale;

/** The c10d backend of a {@link ProcessGroup}: Gloo for CPU tensors, NCCL for CUDA tensors. */
public enum Backend {
    /** Gloo over TCP; CPU tensors. */
    GLOO,
    /** NVIDIA's NCCL; CUDA tensors only. Written and reviewed, not yet run on hardware. */
    NCCL;

    /** NCCL for a CUDA device, Gloo otherwise (PyTorch's usual pairing). */
    public static Backend forDevice(Device device) {
        return device.isCuda() ? NCCL : GLOO;
    }

    /**
     * Parses {@code gloo} or {@code nccl} (any case).
     *
     * @throws IllegalArgumentException naming the value for anything else
     */
    public static Backend parse(String name) {
        switch (name.trim().toLowerCase(Locale.ROOT)) {
            case "gloo":
                return GLOO;
            case "nccl":
                return NCCL;
            default:
                throw new IllegalArgumentException("backend must be gloo or nccl, got '" + name + "'");
        }
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
