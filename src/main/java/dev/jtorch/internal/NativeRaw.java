package dev.jtorch.internal;

import dev.jtorch.DType;
import dev.jtorch.Device;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * A tensor's elements as raw bytes in the platform's byte order, both ways; for file formats
 * that store tensors as plain arrays (safetensors). Every dtype round-trips bit for bit.
 */
public final class NativeRaw {
    static {
        NativeRuntime.ensureLoaded();
    }

    private NativeRaw() {}

    /**
     * A new CPU tensor of {@code shape} and {@code dtype} holding {@code data} (native byte order,
     * {@code numel * itemsize} bytes); the caller owns it.
     *
     * @throws IllegalArgumentException if the length does not match
     */
    public static NativeTensor fromBytes(byte[] data, long[] shape, DType dtype) {
        long numel = 1;
        for (long s : shape) {
            if (s < 0) {
                throw new IllegalArgumentException("negative size in shape " + java.util.Arrays.toString(shape));
            }
            numel = Math.multiplyExact(numel, s);
        }
        if (Math.multiplyExact(numel, (long) dtype.byteSize()) != data.length) {
            throw new IllegalArgumentException(data.length + " bytes do not hold " + numel + " elements of "
                    + dtype);
        }
        try {
            Tensor t = torch.empty(shape, Natives.options(dtype, Device.CPU), null);
            if (data.length > 0) {
                new BytePointer(t.data_ptr()).capacity(data.length).put(data, 0, data.length);
            }
            return NativeTensor.own(t);
        } catch (RuntimeException e) {
            throw Errors.translate(e, "fromBytes(" + java.util.Arrays.toString(shape) + ", " + dtype + ")");
        }
    }

    /** The elements of {@code h}, row-major, in native byte order (a contiguous CPU copy is read). */
    public static byte[] toBytes(NativeTensor h) {
        Tensor src = h.acquire(); // held for the copy: another thread may close h
        try (Tensor detached = src.detach();
             Tensor cpu = detached.to(Natives.device(Device.CPU), src.scalar_type());
             Tensor c = cpu.contiguous()) {
            long n = c.nbytes();
            if (n > Integer.MAX_VALUE - 16) {
                throw new IllegalArgumentException("tensor of " + n + " bytes does not fit in a Java array");
            }
            byte[] out = new byte[(int) n];
            if (n > 0) {
                new BytePointer(c.data_ptr()).capacity(n).get(out, 0, out.length);
            }
            return out;
        } catch (RuntimeException e) {
            throw Errors.translate(e, "toBytes");
        } finally {
            h.release();
        }
    }
}
