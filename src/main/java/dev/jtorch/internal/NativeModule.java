package dev.jtorch.internal;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.pytorch.BatchNorm1dImpl;
import org.bytedeco.pytorch.BatchNorm2dImpl;
import org.bytedeco.pytorch.BatchNorm3dImpl;
import org.bytedeco.pytorch.BatchNormOptions;
import org.bytedeco.pytorch.Conv2dImpl;
import org.bytedeco.pytorch.Conv2dOptions;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.LinearOptions;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;

/**
 * One of libtorch's own {@code torch::nn} modules, used by jtorch's leaf layers for PyTorch's exact
 * default initialisation and train/eval semantics.
 *
 * <p>Owns the native module and hands out its parameters and buffers as owned handles (aliases of
 * the module's tensors: in-place changes such as {@code set_data}, {@code copy_} or the running
 * statistics updated by a batch-norm forward are seen on both sides). {@link #close()} frees the
 * module; the parameter and buffer handles are closed by their Java owner.
 */
public final class NativeModule extends Guarded {
    static {
        NativeRuntime.ensureLoaded();
    }

    private final Module module;
    private final String description;
    private final Map<String, NativeTensor> parameters;
    private final Map<String, NativeTensor> buffers;

    private NativeModule(Module module, String description, Map<String, NativeTensor> parameters,
                         Map<String, NativeTensor> buffers) {
        this.module = module;
        this.description = description;
        this.parameters = Collections.unmodifiableMap(parameters);
        this.buffers = Collections.unmodifiableMap(buffers);
        Handles.opened();
    }

    /** An owned alias of a module member, or nothing when the member is undefined (e.g. no bias). */
    private static void put(Map<String, NativeTensor> into, String name, Tensor member) {
        if (member != null && member.defined()) {
            into.put(name, NativeTensor.own(new Tensor(member)));
        }
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
        put(p, "weight", l.weight());
        if (bias) {
            put(p, "bias", l.bias());
        }
        return new NativeModule(l, "Linear", p, new LinkedHashMap<>());
    }

    /**
     * {@code torch::nn::Conv2d}: weight {@code [out, in/groups, kh, kw]} drawn by kaiming-uniform
     * with {@code a = sqrt(5)} (so {@code |w| <= 1/sqrt(fan_in)}, {@code fan_in = in/groups*kh*kw}) and bias
     * {@code [out]} U(-1/sqrt(fan_in), 1/sqrt(fan_in)), from the default generator, as PyTorch.
     * The options other than sizes, groups and bias do not affect initialisation; they are stored
     * for completeness (jtorch's {@code Conv2d} runs {@code at::conv2d} itself).
     *
     * <p>{@code kernel}, {@code stride}, {@code padding} and {@code dilation} hold two values each,
     * (height, width).
     *
     * @throws dev.jtorch.TorchException if libtorch rejects the options (e.g. channels not
     *     divisible by groups)
     */
    public static NativeModule conv2d(long in, long out, long[] kernel, long[] stride, long[] padding,
                                      long[] dilation, long groups, boolean bias) {
        String desc = "Conv2d(" + in + ", " + out + ", kernel_size=" + Arrays.toString(kernel) + ", groups=" + groups + ")";
        Conv2dImpl c;
        try (LongPointer k = new LongPointer(kernel[0], kernel[1]);
             LongPointer pad = new LongPointer(padding[0], padding[1]);
             Conv2dOptions o = new Conv2dOptions(in, out, k)) {
            o.stride().put(0, stride[0]).put(1, stride[1]);
            o.dilation().put(0, dilation[0]).put(1, dilation[1]);
            o.padding().put(pad);
            o.groups().put(groups);
            o.bias().put(bias);
            c = new Conv2dImpl(o);
        } catch (RuntimeException e) {
            throw Errors.translate(e, desc);
        }
        Map<String, NativeTensor> p = new LinkedHashMap<>();
        put(p, "weight", c.weight());
        if (bias) {
            put(p, "bias", c.bias());
        }
        return new NativeModule(c, desc, p, new LinkedHashMap<>());
    }

    /**
     * {@code torch::nn::BatchNorm1d}, {@code BatchNorm2d} or {@code BatchNorm3d} ({@code dims} 1 to 3):
     * parameters {@code weight} (ones) and {@code bias} (zeros) of {@code [numFeatures]} when
     * {@code affine}; buffers {@code running_mean} (zeros), {@code running_var} (ones) and
     * {@code num_batches_tracked} (int64 scalar 0) when {@code trackRunningStats}, in PyTorch's
     * state-dict order.
     *
     * @param momentum the running-average factor, or null for the cumulative average
     */
    public static NativeModule batchNorm(int dims, long numFeatures, double eps, Double momentum, boolean affine,
                                         boolean trackRunningStats) {
        if (dims < 1 || dims > 3) {
            throw new IllegalArgumentException("batchNorm dims must be 1, 2 or 3, got " + dims);
        }
        String desc = "BatchNorm" + dims + "d(" + numFeatures + ")";
        Module m;
        Tensor[] t; // weight, bias, running_mean, running_var, num_batches_tracked: 1d, 2d and 3d share no Java type
        try (BatchNormOptions o = new BatchNormOptions(numFeatures)) {
            o.eps().put(eps);
            if (momentum == null) {
                o.momentum().reset();
            } else {
                o.momentum().put(momentum.doubleValue());
            }
            o.affine().put(affine);
            o.track_running_stats().put(trackRunningStats);
            if (dims == 1) {
                BatchNorm1dImpl bn = new BatchNorm1dImpl(o);
                m = bn;
                t = new Tensor[] {bn.weight(), bn.bias(), bn.running_mean(), bn.running_var(), bn.num_batches_tracked()};
            } else if (dims == 2) {
                BatchNorm2dImpl bn = new BatchNorm2dImpl(o);
                m = bn;
                t = new Tensor[] {bn.weight(), bn.bias(), bn.running_mean(), bn.running_var(), bn.num_batches_tracked()};
            } else {
                BatchNorm3dImpl bn = new BatchNorm3dImpl(o);
                m = bn;
                t = new Tensor[] {bn.weight(), bn.bias(), bn.running_mean(), bn.running_var(), bn.num_batches_tracked()};
            }
        } catch (RuntimeException e) {
            throw Errors.translate(e, desc);
        }
        Map<String, NativeTensor> p = new LinkedHashMap<>();
        Map<String, NativeTensor> buf = new LinkedHashMap<>();
        put(p, "weight", t[0]);
        put(p, "bias", t[1]);
        put(buf, "running_mean", t[2]);
        put(buf, "running_var", t[3]);
        put(buf, "num_batches_tracked", t[4]);
        return new NativeModule(m, desc, p, buf);
    }

    /** The parameters by their PyTorch names ({@code weight}, {@code bias}); the caller owns them. */
    public Map<String, NativeTensor> parameters() {
        return parameters;
    }

    /**
     * The buffers by their PyTorch names, in PyTorch's order ({@code running_mean},
     * {@code running_var}, {@code num_batches_tracked}); empty for modules without any. The caller
     * owns them.
     */
    public Map<String, NativeTensor> buffers() {
        return buffers;
    }

    /**
     * Runs the native module's own {@code forward} (batch norm: normalises and, in training mode,
     * updates the running statistics and {@code num_batches_tracked} in place, exactly as PyTorch).
     *
     * @return a new handle the caller owns
     * @throws IllegalStateException if the module was closed
     * @throws UnsupportedOperationException for modules whose forward jtorch runs itself
     * @throws dev.jtorch.TorchException if libtorch rejects the input
     */
    public NativeTensor forward(NativeTensor input) {
        enter();
        try {
            Module m = module;
            Tensor x = input.acquire();
            try {
                if (m instanceof BatchNorm1dImpl) {
                    return NativeTensor.own(((BatchNorm1dImpl) m).forward(x));
                }
                if (m instanceof BatchNorm2dImpl) {
                    return NativeTensor.own(((BatchNorm2dImpl) m).forward(x));
                }
                if (m instanceof BatchNorm3dImpl bn) {
                    return NativeTensor.own(bn.forward(x));
                }
            } catch (RuntimeException e) {
                throw Errors.translate(e, description + ".forward(" + Arrays.toString(input.shape()) + " " + input.dtype() + ")");
            } finally {
                input.release();
            }
        } finally {
            exit();
        }
        throw new UnsupportedOperationException(description + ": forward is run by the Java layer");
    }

    /** Sets the native module's training flag; nothing once closed. */
    public void train(boolean on) {
        try {
            enter();
        } catch (IllegalStateException closed) {
            return;
        }
        try {
            module.train(on);
        } finally {
            exit();
        }
    }

    @Override
    protected void free() {
        module.close();
        Handles.closed();
    }

    @Override
    protected IllegalStateException usedAfterClose() {
        return new IllegalStateException(description + " used after close()");
    }
}
