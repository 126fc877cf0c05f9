package dev.jtorch.optim;

import dev.jtorch.internal.Bridge;
import dev.jtorch.internal.NativeOptimizer;
import dev.jtorch.internal.NativeTensor;
import dev.jtorch.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Updates parameters from their gradients; the common base of {@link SGD} and {@link Adam}.
 *
 * <p>Long-lived: holds per-parameter state (momentum buffers, moments) in native memory until
 * {@link #close()}. The parameters stay owned by their module. Single-threaded.
 */
public abstract class Optimizer implements AutoCloseable {
    private final NativeOptimizer opt;

    Optimizer(NativeOptimizer opt) {
        this.opt = opt;
    }

    static List<NativeTensor> handles(Iterable<Tensor> params) {
        List<NativeTensor> out = new ArrayList<>();
        for (Tensor p : params) {
            NativeTensor h = Bridge.tensors().handle(p);
            if (!h.requiresGrad()) {
                throw new IllegalArgumentException("optimizer given a tensor that does not require grad: " + p.shape());
            }
            out.add(h);
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("optimizer got an empty parameter list");
        }
        return out;
    }

    static void checkLr(double lr) {
        if (!(lr >= 0) || Double.isInfinite(lr)) {
            throw new IllegalArgumentException("invalid learning rate: " + lr);
        }
    }

    /** Applies one update using the current gradients (parameters without a gradient are skipped). */
    public void step() {
        opt.step();
    }

    /** Drops all gradients (PyTorch 2's default {@code zero_grad(set_to_none=True)}). */
    public void zeroGrad() {
        opt.zeroGrad(true);
    }

    /** Zeroes the gradients in place ({@code setToNone = false}) or drops them. */
    public void zeroGrad(boolean setToNone) {
        opt.zeroGrad(setToNone);
    }

    /** The learning rate (of the first parameter group). */
    public double lr() {
        return opt.lr();
    }

    /**
     * Sets the learning rate of every parameter group, e.g. from a schedule.
     *
     * @throws IllegalArgumentException if {@code lr} is negative or not finite
     */
    public void lr(double lr) {
        checkLr(lr);
        opt.lr(lr);
    }

    /** Frees the optimizer's native state; idempotent. Its parameters are not affected. */
    @Override
    public void close() {
        opt.close();
    }
}
