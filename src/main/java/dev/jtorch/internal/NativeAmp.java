package dev.jtorch.internal;

import dev.jtorch.DType;
import dev.jtorch.Device;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.DeviceType;

/**
 * libtorch's automatic mixed precision: the thread-local autocast state ({@code at::autocast}) and
 * the gradient-scaler kernels, for {@code dev.jtorch.amp}.
 *
 * <p>Every autocast setting here is thread-local in libtorch (enabled flag, dtype, cache flag and
 * nesting depth), so the public guard that drives this class is thread-confined.
 */
public final class NativeAmp {
    static {
        NativeRuntime.ensureLoaded();
    }

    private NativeAmp() {}

    private static DeviceType type(Device.Type t) {
        return t == Device.Type.CUDA ? DeviceType.CUDA : DeviceType.CPU;
    }

    /** Whether libtorch has an autocast implementation for this device type. */
    public static boolean available(Device.Type t) {
        return torch.is_autocast_available(type(t).value);
    }

    /** Whether autocast is on for this device type on this thread. */
    public static boolean enabled(Device.Type t) {
        return torch.is_autocast_enabled(type(t));
    }

    /** Turns autocast on or off for this device type on this thread. */
    public static void setEnabled(Device.Type t, boolean on) {
        torch.set_autocast_enabled(type(t), on);
    }

    /** The lower-precision dtype autocast casts to on this device type (this thread). */
    public static DType dtype(Device.Type t) {
        return Natives.dtype(torch.get_autocast_dtype(type(t)));
    }

    /** Sets the lower-precision dtype for this device type (this thread). */
    public static void setDtype(Device.Type t, DType dtype) {
        torch.set_autocast_dtype(type(t), Natives.scalarType(dtype));
    }

    /** Whether autocast caches the casts of leaf tensors (fp32 weights) on this thread. */
    public static boolean cacheEnabled() {
        return torch.is_autocast_cache_enabled();
    }

    /** Turns the weight-cast cache on or off (this thread). */
    public static void setCacheEnabled(boolean on) {
        torch.set_autocast_cache_enabled(on);
    }

    /** Enters one more autocast region; returns the new depth. */
    public static int incrementNesting() {
        return torch.increment_nesting();
    }

    /** Leaves an autocast region; returns the new depth (0: outside every region). */
    public static int decrementNesting() {
        return torch.decrement_nesting();
    }

    /** Drops the cached weight casts of this thread (done when the outermost region exits). */
    public static void clearCache() {
        torch.clear_cache();
    }

    // ---------------------------------------------------------------- gradient scaler

    /**
     * A 0-dim bool tensor on {@code device} holding true: the running "every gradient so far was
     * finite" flag of {@link #unscaleAndCheck}.
     */
    public static NativeTensor allFiniteFlag(Device device) {
        return NativeTensor.ones(new long[0], DType.BOOL, device);
    }

    /**
     * {@code grad *= invScale} in place, and {@code allFinite &= isfinite(grad).all()} without
     * leaving the device (no host synchronisation): PyTorch's
     * {@code _amp_foreach_non_finite_check_and_unscale_} for one gradient, which the presets lack.
     * The check looks at the gradient before unscaling, as PyTorch's kernel does.
     *
     * @param grad a floating-point gradient, changed in place
     * @param invScale {@code 1 / scale} rounded to float32, as PyTorch computes it
     * @param allFinite the flag from {@link #allFiniteFlag}, on the gradient's device
     */
    public static void unscaleAndCheck(NativeTensor grad, double invScale, NativeTensor allFinite) {
        Tensor g = grad.acquire(); // held: another thread may close the handle meanwhile
        try {
            allFinite.acquire();
        } catch (IllegalStateException e) {
            grad.release();
            throw e;
        }
        try (Guards.NoGradScope ng = Guards.noGrad();
             Tensor finite = torch.isfinite(g);
             Tensor all = torch.all(finite);
             Scalar s = new Scalar(invScale)) {
            // in-place ops return a reference to their target, which JavaCPP may hand back as the
            // very same Java object: never close those results
            allFinite.held().logical_and_(all);
            g.mul_(s);
        } catch (RuntimeException e) {
            throw Errors.translate(e, "GradScaler.unscale(grad " + java.util.Arrays.toString(grad.shape()) + " "
                    + grad.dtype() + ")");
        } finally {
            allFinite.release();
            grad.release();
        }
    }

    /** Reads the flag of {@link #unscaleAndCheck}: the one host synchronisation of a scaler step. */
    public static boolean read(NativeTensor allFinite) {
        return allFinite.item() != 0;
    }
}
