package dev.jtorch.internal;

import java.util.List;
import org.bytedeco.pytorch.Adam;
import org.bytedeco.pytorch.AdamOptions;
import org.bytedeco.pytorch.Optimizer;
import org.bytedeco.pytorch.OptimizerParamGroupVector;
import org.bytedeco.pytorch.SGD;
import org.bytedeco.pytorch.SGDOptions;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;

/**
 * One of libtorch's {@code torch::optim} optimizers over a fixed list of parameters.
 *
 * <p>The update math is libtorch's own (identical to PyTorch's for-loop implementations); this
 * class owns the native optimizer and frees it on {@link #close()}.
 */
public final class NativeOptimizer {
    static {
        NativeRuntime.ensureLoaded();
    }

    private Optimizer optimizer;
    private final String name;

    private NativeOptimizer(Optimizer optimizer, String name) {
        this.optimizer = optimizer;
        this.name = name;
        Handles.opened();
    }

    private static TensorVector vector(List<NativeTensor> params) {
        Tensor[] ts = new Tensor[params.size()];
        for (int i = 0; i < ts.length; i++) {
            ts[i] = params.get(i).ptr();
        }
        return new TensorVector(ts);
    }

    /** {@code torch::optim::SGD}. */
    public static NativeOptimizer sgd(List<NativeTensor> params, double lr, double momentum, double dampening,
                                      double weightDecay, boolean nesterov) {
        try (TensorVector v = vector(params); SGDOptions o = new SGDOptions(lr)) {
            o.momentum().put(momentum);
            o.dampening().put(dampening);
            o.weight_decay().put(weightDecay);
            o.nesterov().put(nesterov);
            return new NativeOptimizer(new SGD(v, o), "SGD");
        } catch (RuntimeException e) {
            throw Errors.translate(e, "SGD");
        }
    }

    /** {@code torch::optim::Adam}. */
    public static NativeOptimizer adam(List<NativeTensor> params, double lr, double beta1, double beta2, double eps,
                                       double weightDecay, boolean amsgrad) {
        try (TensorVector v = vector(params); AdamOptions o = new AdamOptions(lr)) {
            // libstdc++ lays std::tuple<double, double> out last element first
            o.betas().put(0, beta2).put(1, beta1);
            o.eps().put(eps);
            o.weight_decay().put(weightDecay);
            o.amsgrad().put(amsgrad);
            return new NativeOptimizer(new Adam(v, o), "Adam");
        } catch (RuntimeException e) {
            throw Errors.translate(e, "Adam");
        }
    }

    private Optimizer opt() {
        if (optimizer == null) {
            throw new IllegalStateException(name + " used after close()");
        }
        return optimizer;
    }

    /** Applies one update from the parameters' current gradients. */
    public void step() {
        try (Tensor unused = opt().step()) {
            // step() returns the closure's loss, undefined without one; the handle is freed here
        } catch (RuntimeException e) {
            throw Errors.translate(e, name + ".step");
        }
    }

    /** Zeroes the gradients, or drops them ({@code setToNone}, PyTorch's default). */
    public void zeroGrad(boolean setToNone) {
        try {
            opt().zero_grad(setToNone);
        } catch (RuntimeException e) {
            throw Errors.translate(e, name + ".zeroGrad");
        }
    }

    /** The learning rate of the first parameter group. */
    public double lr() {
        return opt().param_groups().get(0).options().get_lr();
    }

    /** Sets the learning rate of every parameter group. */
    public void lr(double lr) {
        OptimizerParamGroupVector groups = opt().param_groups();
        for (long i = 0; i < groups.size(); i++) {
            groups.get(i).options().set_lr(lr);
        }
    }

    /** Frees the native optimizer and its state; idempotent. */
    public void close() {
        if (optimizer != null) {
            optimizer.close();
            optimizer = null;
            Handles.closed();
        }
    }
}
