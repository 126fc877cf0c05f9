package dev.jtorch.internal;

import dev.jtorch.DType;
import dev.jtorch.Device;
import dev.jtorch.MemoryFormat;
import dev.jtorch.TorchException;
import java.util.concurrent.ConcurrentHashMap;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch.DeviceType;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Conversions between jtorch's value types and the presets' native ones, with caches so that
 * ops allocate no native temporaries for options or devices.
 */
final class Natives {
    private static final ConcurrentHashMap<Device, org.bytedeco.pytorch.Device> DEVICES = new ConcurrentHashMap<>();
    private static final ConcurrentHashMap<Long, TensorOptions> OPTIONS = new ConcurrentHashMap<>();

    static {
        NativeRuntime.ensureLoaded();
    }

    private Natives() {}

    static ScalarType scalarType(DType t) {
        switch (t) {
            case FLOAT32: return ScalarType.Float;
            case FLOAT64: return ScalarType.Double;
            case FLOAT16: return ScalarType.Half;
            case BFLOAT16: return ScalarType.BFloat16;
            case UINT8: return ScalarType.Byte;
            case INT8: return ScalarType.Char;
            case INT16: return ScalarType.Short;
            case INT32: return ScalarType.Int;
            case INT64: return ScalarType.Long;
            case BOOL: return ScalarType.Bool;
            default: throw new AssertionError(t);
        }
    }

    static torch.MemoryFormat memoryFormat(MemoryFormat f) {
        switch (f) {
            case CONTIGUOUS: return torch.MemoryFormat.Contiguous;
            case PRESERVE: return torch.MemoryFormat.Preserve;
            case CHANNELS_LAST: return torch.MemoryFormat.ChannelsLast;
            case CHANNELS_LAST_3D: return torch.MemoryFormat.ChannelsLast3d;
            default: throw new AssertionError(f);
        }
    }

    /**
     * Maps a native dtype back. JavaCPP materialises enum return values as fresh objects whose
     * ordinal is 0, so only the {@code value} field can be trusted: never switch on or compare
     * the enum constants themselves.
     */
    static DType dtype(ScalarType s) {
        switch (s.value) {
            case 6: return DType.FLOAT32;
            case 7: return DType.FLOAT64;
            case 5: return DType.FLOAT16;
            case 15: return DType.BFLOAT16;
            case 0: return DType.UINT8;
            case 1: return DType.INT8;
            case 2: return DType.INT16;
            case 3: return DType.INT32;
            case 4: return DType.INT64;
            case 11: return DType.BOOL;
            default: throw new TorchException("tensor has dtype code " + s.value + ", which jtorch does not support");
        }
    }

    static org.bytedeco.pytorch.Device device(Device d) {
        org.bytedeco.pytorch.Device n = DEVICES.get(d);
        if (n == null) {
            NativeRuntime.ensureLoaded();
            n = DEVICES.computeIfAbsent(d, k -> k.isCuda()
                    ? new org.bytedeco.pytorch.Device(DeviceType.CUDA, (byte) k.index())
                    : new org.bytedeco.pytorch.Device(DeviceType.CPU, (byte) -1));
        }
        return n;
    }

    static Device device(org.bytedeco.pytorch.Device n) {
        byte type = n.type().value; // compare values, not enum identity (see dtype(ScalarType))
        if (type == DeviceType.CPU.value) {
            return Device.CPU;
        }
        if (type == DeviceType.CUDA.value) {
            return n.has_index() ? Device.cuda(n.index()) : Device.cuda();
        }
        throw new TorchException("tensor lives on device type code " + type + ", which jtorch does not support");
    }

    /** Cached options for (dtype, device); never freed, bounded by the few combinations used. */
    static TensorOptions options(DType t, Device d) {
        long key = ((long) t.ordinal() << 32) | ((d.isCuda() ? 1L : 0L) << 16) | (d.index() & 0xffffL);
        TensorOptions o = OPTIONS.get(key);
        if (o == null) {
            o = OPTIONS.computeIfAbsent(key, k -> {
                try (TensorOptions base = new TensorOptions(device(d));
                     ScalarTypeOptional st = new ScalarTypeOptional(scalarType(t))) {
                    return base.dtype(st);
                }
            });
        }
        return o;
    }
}
