package dev.jtorch;

import dev.jtorch.internal.NativeRuntime;
import java.util.Locale;
import java.util.Objects;

/**
 * A compute device, {@code cpu} or {@code cuda:N}, parsed and printed as PyTorch does.
 *
 * <p>Immutable and cheap; compare with {@code equals}. A {@code cuda} device without an index means
 * the current CUDA device, as in PyTorch.
 */
public final class Device {
    /** The kind of device. */
    public enum Type { CPU, CUDA }

    /** The host CPU. */
    public static final Device CPU = new Device(Type.CPU, -1);

    private final Type type;
    private final int index;

    private Device(Type type, int index) {
        this.type = type;
        this.index = index;
    }

    /**
     * The CUDA device with the given ordinal.
     *
     * @throws IllegalArgumentException if {@code index} is negative or above 127
     */
    public static Device cuda(int index) {
        if (index < 0 || index > 127) {
            throw new IllegalArgumentException("CUDA device index must be in [0, 127], got " + index);
        }
        return new Device(Type.CUDA, index);
    }

    /** The current CUDA device ({@code cuda} without an index). */
    public static Device cuda() {
        return new Device(Type.CUDA, -1);
    }

    /**
     * Parses {@code cpu}, {@code cuda} or {@code cuda:N}.
     *
     * @throws IllegalArgumentException naming the text if it is none of these
     */
    public static Device parse(String text) {
        Objects.requireNonNull(text, "device");
        String s = text.trim().toLowerCase(Locale.ROOT);
        if (s.equals("cpu")) {
            return CPU;
        }
        if (s.equals("cuda")) {
            return cuda();
        }
        if (s.startsWith("cuda:")) {
            try {
                int index = Integer.parseInt(s.substring(5));
                if (index >= 0 && index <= 127) {
                    return cuda(index);
                }
            } catch (NumberFormatException e) {
                // fall through to the error below
            }
        }
        throw new IllegalArgumentException("not a device: '" + text + "' (expected cpu, cuda or cuda:N with N in 0..127)");
    }

    /** {@code cuda:0} when this process sees a CUDA device, else {@link #CPU}. */
    public static Device best() {
        return NativeRuntime.cudaDeviceCount() > 0 ? cuda(0) : CPU;
    }

    /** The device kind. */
    public Type type() {
        return type;
    }

    /** The ordinal, or -1 for the CPU and for the current CUDA device. */
    public int index() {
        return index;
    }

    /** True for CUDA devices. */
    public boolean isCuda() {
        return type == Type.CUDA;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Device d && d.type == type && d.index == index;
    }

    @Override
    public int hashCode() {
        return type.hashCode() * 131 + index;
    }

    /** {@code cpu}, {@code cuda} or {@code cuda:N}. */
    @Override
    public String toString() {
        return type == Type.CPU ? "cpu" : index < 0 ? "cuda" : "cuda:" + index;
    }
}
