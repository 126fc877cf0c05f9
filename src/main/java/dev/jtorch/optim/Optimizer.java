package dev.jtorch.optim;

import dev.jtorch.internal.NativeOptimizer;
import dev.jtorch.internal.NativeTensor;
import dev.jtorch.tensor.Tensor;
import dev.jtorch.tensor.TensorScope;
import dev.jtorch.tensor.access.TensorAccess;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Updates parameters from their gradients; the common base of {@link SGD}, {@link Adam},
 * {@link AdamW}, {@link RMSprop} and {@link Adagrad}.
 *
 * <p>Long-lived: holds per-parameter state (momentum buffers, moments) in native memory until
 * {@link #close()}. The parameters stay owned by their module. Steps are
 * single-threaded; closing the optimizer (or its module) from another thread during a step never
 * frees memory under it: the step finishes or throws {@link IllegalStateException}. Once its
 * module is closed, the optimizer refuses every call that touches the parameters ({@link #step()},
 * {@link #zeroGrad()}, {@link #parameters()}, {@link #stateBytes()}, {@link #loadState}) with an
 * {@link IllegalStateException} naming it, rather than updating tensors nobody sees; the
 * learning rate and momentum stay readable.
 *
 * <p>{@link #stateBytes()} and {@link #loadState(byte[])} save and restore that state exactly
 * (PyTorch's {@code state_dict()} / {@code load_state_dict()}), for checkpoints that resume
 * bit-identically.
 */
public abstract class Optimizer implements AutoCloseable {
    private final NativeOptimizer opt;
    /** PyTorch's {@code group["initial_lr"]}: set by the first schedule attached, then shared. */
    private double initialLr = Double.NaN;

    Optimizer(NativeOptimizer opt) {
        this.opt = opt;
    }

    static List<NativeTensor> handles(Iterable<Tensor> params) {
        List<NativeTensor> out = new ArrayList<>();
        for (Tensor p : params) {
            NativeTensor h = TensorAccess.handle(p);
            // as PyTorch: a frozen leaf (requires_grad false) is accepted and skipped while it has no
            // gradient; a tensor computed from others is not a parameter
            if (!h.isLeaf()) {
                throw new IllegalArgumentException("optimizer can't optimize a non-leaf tensor " + p.shape()
                        + " (computed from other tensors); pass the module's parameters");
            }
            out.add(h);
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("optimizer got an empty parameter list");
        }
        return out;
    }

    static void checkLr(double lr) {
        checkNonNegativeFinite("learning rate", lr);
    }

    /**
     * Refuses a setting that is negative or NaN, with the message {@code invalid WHAT: VALUE}.
     *
     * @throws IllegalArgumentException if {@code value} is not {@code >= 0}
     */
    static void checkNonNegative(String what, double value) {
        if (!(value >= 0)) {
            throw new IllegalArgumentException("invalid " + what + ": " + value);
        }
    }

    /**
     * As {@link #checkNonNegative}, and refuses infinity too: a setting PyTorch lets through but
     * that turns every parameter into NaN or zero at the first step.
     *
     * @throws IllegalArgumentException if {@code value} is not finite and {@code >= 0}
     */
    static void checkNonNegativeFinite(String what, double value) {
        if (Double.isInfinite(value)) {
            throw new IllegalArgumentException("invalid " + what + ": " + value);
        }
        checkNonNegative(what, value);
    }

    /**
     * Applies one update using the current gradients (parameters without a gradient are skipped).
     *
     * @throws IllegalStateException if this optimizer or one of its parameters (its module) was
     *     closed; the message names the optimizer
     */
    public void step() {
        opt.step();
    }

    /**
     * Drops all gradients (PyTorch 2's default {@code zero_grad(set_to_none=True)}).
     *
     * @throws IllegalStateException if this optimizer or one of its parameters (its module) was
     *     closed
     */
    public void zeroGrad() {
        opt.zeroGrad(true);
    }

    /**
     * Zeroes the gradients in place ({@code setToNone = false}) or drops them.
     *
     * @throws IllegalStateException if this optimizer or one of its parameters (its module) was
     *     closed
     */
    public void zeroGrad(boolean setToNone) {
        opt.zeroGrad(setToNone);
    }

    /**
     * The parameters this optimizer updates, in order, as tensors of the current scope that share
     * the parameters' storage and gradients (PyTorch's {@code param_groups[...]["params"]}).
     *
     * <p>The parameters themselves stay owned by their module; closing a returned tensor frees
     * only that handle.
     *
     * @throws IllegalStateException if no {@link dev.jtorch.tensor.TensorScope} is open, or the
     *     optimizer or one of its parameters (its module) is closed
     */
    public List<Tensor> parameters() {
        if (!TensorScope.isOpen()) {
            throw new IllegalStateException("parameters(): no TensorScope is open on thread "
                    + Thread.currentThread().getName());
        }
        List<Tensor> out = new ArrayList<>();
        for (NativeTensor h : opt.parameters()) {
            out.add(TensorAccess.scoped(h, "parameters"));
        }
        return out;
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

    /**
     * Whether this optimizer has a momentum that {@link #momentum(double)} sets: SGD's and
     * RMSprop's {@code momentum}, Adam's and AdamW's first beta; Adagrad has none. (PyTorch's
     * test: {@code 'momentum'} or {@code 'betas'} in {@code optimizer.defaults}.)
     */
    public boolean hasMomentum() {
        return opt.hasMomentum();
    }

    /**
     * The momentum (Adam, AdamW: the first beta) of the first parameter group.
     *
     * @throws UnsupportedOperationException if the optimizer has none ({@link #hasMomentum()})
     */
    public double momentum() {
        checkMomentum();
        return opt.momentum();
    }

    /**
     * Sets the momentum (Adam, AdamW: the first beta) of every parameter group, as PyTorch's
     * {@code OneCycleLR} does.
     *
     * @throws IllegalArgumentException if {@code momentum} is negative or not finite
     * @throws UnsupportedOperationException if the optimizer has none ({@link #hasMomentum()})
     */
    public void momentum(double momentum) {
        checkMomentum();
        if (!(momentum >= 0) || Double.isInfinite(momentum)) {
            throw new IllegalArgumentException("invalid momentum: " + momentum);
        }
        opt.momentum(momentum);
    }

    private void checkMomentum() {
        if (!opt.hasMomentum()) {
            throw new UnsupportedOperationException(getClass().getSimpleName() + " has no momentum");
        }
    }

    /**
     * The learning rate schedules count from: the rate when the first {@link LRScheduler} was
     * attached (PyTorch's {@code initial_lr}, set once with {@code setdefault}).
     */
    double initialLr() {
        if (Double.isNaN(initialLr)) {
            initialLr = lr();
        }
        return initialLr;
    }

    /**
     * The optimizer's complete state as bytes: per-parameter buffers (momentum, moments, step
     * counts) and the group settings, including the current learning rate.
     *
     * <p>The bytes are libtorch's own serialization archive (what {@code torch::save(optimizer)}
     * writes in C++) tagged with the optimizer kind, its settings and the parameters' dtypes and
     * shapes, so that {@link #loadState} can refuse a state that does not fit. They do not refer
     * to this optimizer: they stay valid after it is closed.
     *
     * @throws IllegalStateException if the optimizer or one of its parameters (its module) is
     *     closed
     */
    public byte[] stateBytes() {
        return opt.stateBytes();
    }

    /**
     * Replaces this optimizer's state with one from {@link #stateBytes()}, as PyTorch's
     * {@code load_state_dict}.
     *
     * <p>The learning rate becomes the saved one. Parameters are matched by position; the
     * optimizer must be of the same kind, with the same settings (all but the learning rate),
     * over parameters of the same dtypes, shapes and devices. Loading then stepping continues
     * exactly where the saved optimizer stopped.
     *
     * @throws IllegalArgumentException if the state was saved by another kind of optimizer, with
     *     other settings, or for other parameters; the message names the mismatch
     * @throws dev.jtorch.TorchException if the bytes are not an optimizer state at all
     * @throws IllegalStateException if the optimizer or one of its parameters (its module) is
     *     closed
     */
    public void loadState(byte[] state) {
        Objects.requireNonNull(state, "state");
        opt.loadState(state);
    }

    /** Frees the optimizer's native state; idempotent. Its parameters are not affected. */
    @Override
    public void close() {
        opt.close();
    }
}
