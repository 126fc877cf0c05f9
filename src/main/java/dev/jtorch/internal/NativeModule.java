package dev.jtorch.internal;

import java.util.LinkedHashMap;
import java.util.Map;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.LinearOptions;
import org.bytedeco.pytorch.Module;

/**
 * One of libtorch's own {@code torch::nn} modules, used by jtorch's leaf layers for PyTorch's exact
 * default initialisation and train/eval semantics.
 *
 * <p>Owns the native module and hands out its parameters as owned handles (aliases of the
 * module's tensors). {@link #close()} frees the module; the parameter handles are closed by their
 * Java owner.
 */
public final class NativeModule {
    static {
        NativeRuntime.ensureLoaded();
    }

    private Module module;
    private final Map<String, NativeTensor> parameters;

    private NativeModule(Module module, Map<String, NativeTensor> parameters) {
        this.module = module;
        this.parameters = parameters;
        Handles.opened();
    }

    /**
     * {@code torch::nn::Linear(in, out)}: weight {@code [out, in]} and bias {@code [out]}, both
     * U(-1/sqrt(in), 1/sqrt(in)) from the default generator, as PyTorch.
     */
    public static NativeModule linear(long in, long out, boolean bias) {
        LinearImpl l;
        try (LinearOptions o = new LinearOptions(in, out)) {
            o.bias().put(bias);
            l = new LinearImpl(o);
        } catch (RuntimeException e) {
            throw Errors.translate(e, "Linear(" + in + ", " + out + ")");
        }
        Map<String, NativeTensor> p = new LinkedHashMap<>();
        p.put("weight", NativeTensor.own(new org.bytedeco.pytorch.Tensor(l.weight())));
        if (bias) {
            p.put("bias", NativeTensor.own(new org.bytedeco.pytorch.Tensor(l.bias())));
        }
        return new NativeModule(l, p);
    }

    /** The parameters by their PyTorch names ({@code weight}, {@code bias}); the caller owns them. */
    public Map<String, NativeTensor> parameters() {
        return parameters;
    }

    /** Sets the native module's training flag. */
    public void train(boolean on) {
        if (module != null) {
            module.train(on);
        }
    }

    /** Frees the native module; idempotent. */
    public void close() {
        if (module != null) {
            module.close();
            module = null;
            Handles.closed();
        }
    }
}
