package dev.jtorch.internal;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.pytorch.IValue;
import org.bytedeco.pytorch.IValueVector;
import org.bytedeco.pytorch.InputArchive;
import org.bytedeco.pytorch.Optimizer;
import org.bytedeco.pytorch.SGDOptions;
import org.bytedeco.pytorch.Tensor;

/**
 * SGD's update as one libtorch call over every parameter ({@code aten::_fused_sgd_}, what PyTorch
 * runs for {@code SGD(fused=True)}), on the momentum buffers libtorch's own {@code torch::optim::SGD}
 * keeps, so that its state, and every checkpoint of it, stays the one truth.
 *
 * <p>Why: libtorch's SGD runs three element-wise ops per parameter (momentum, dampening, update),
 * each a pass over the tensor with a dispatcher call's fixed cost; for a small network that is a
 * tenth of a training step. The fused kernel does one pass per parameter.
 *
 * <p>The presets expose no accessor to an optimizer's state, so the buffers are reached once
 * through the state's own archive: the optimizer's state is saved and loaded back (bit for bit the
 * same values), after which libtorch's state holds the very tensors the loaded archive holds, and
 * those are read from it. They are read again after every state change this class does not see
 * ({@link #forget()}: a loaded checkpoint).
 *
 * <p>libtorch's own step still runs whenever the fused one cannot: the first step with momentum
 * (libtorch makes the buffers), a step where a parameter has no gradient (libtorch skips it), and
 * sparse or non-floating parameters. Results equal libtorch's to rounding: the fused kernel
 * multiplies the update by the learning rate before adding it, as PyTorch's fused kernel does.
 */
final class FusedSgd {
    private static final NativeOps.Op OP = NativeOps.op("aten::_fused_sgd_", "");
    private static final ThreadLocal<IValueVector> STACK = ThreadLocal.withInitial(IValueVector::new);
    // made once, never freed
    private static final IValue NONE = new IValue();
    private static final IValue TRUE = new IValue(true);
    private static final IValue FALSE = new IValue(false);
    private static final IValue EMPTY_LIST = list(0, i -> null);
    /** Fused updates run in this process: tests check that the fused path is the one they compare. */
    static final java.util.concurrent.atomic.AtomicLong STEPS = new java.util.concurrent.atomic.AtomicLong();

    /** The boxed call's list of the parameters, kept between steps; null until made. */
    private IValue paramList;
    /** The list of libtorch's momentum buffers (aliases, in parameter order); null until read. */
    private IValue bufList;
    /** Set when the buffers could not be read: libtorch's step runs from then on. */
    private boolean unavailable;
    /** Reads that found no buffers: the first is normal (libtorch's step makes them), a second is not. */
    private int misses;

    /**
     * Updates {@code params} (acquired by the caller, in the optimizer's order) from their
     * gradients with the settings of the optimizer's single group, or returns false having changed
     * nothing, when the caller must run libtorch's step.
     */
    boolean step(Optimizer optimizer, Tensor[] params, SGDOptions o) {
        double momentum = o.momentum().get();
        if (unavailable) {
            return false;
        }
        for (Tensor p : params) {
            Tensor g = p.grad(); // a reference into the parameter
            if (!g.defined() || g.is_sparse() || !p.is_floating_point()) {
                return false;
            }
        }
        if (momentum != 0 && bufList == null) {
            bufList = read(optimizer, params);
            if (bufList == null) {
                unavailable |= ++misses > 1;
                return false; // libtorch makes them in this step
            }
        }
        // The parameters' and buffers' lists are kept between steps (the parameters never change, the
        // buffers only with the state); the gradients' is made per step, so that a dropped gradient
        // (set_to_none) is freed as libtorch would free it.
        if (paramList == null) {
            paramList = list(params.length, i -> params[i]);
        }
        IValueVector stack = STACK.get();
        stack.clear();
        try (IValue gradList = list(params.length, i -> params[i].grad());
             IValue wd = new IValue(o.weight_decay().get()); IValue m = new IValue(momentum);
             IValue rate = new IValue(o.get_lr()); IValue damp = new IValue(o.dampening().get())) {
            stack.push_back(paramList).push_back(gradList).push_back(momentum != 0 ? bufList : EMPTY_LIST)
                    .push_back(wd).push_back(m).push_back(rate).push_back(damp)
                    .push_back(o.nesterov().get() ? TRUE : FALSE)
                    .push_back(FALSE).push_back(FALSE).push_back(NONE).push_back(NONE);
            OP.resolve().handle.callBoxed(stack);
            STEPS.incrementAndGet();
            return true;
        } finally {
            stack.clear();
        }
    }

    private static IValue list(int n, java.util.function.IntFunction<Tensor> tensor) {
        return NativeOps.list(NativeOps.TENSOR_T, n, k -> new IValue(tensor.apply(k)));
    }

    private static void close(IValue v) {
        if (v != null) {
            v.close();
        }
    }

    /**
     * A list of the momentum buffers of libtorch's state, as the tensors the state holds; null when
     * a parameter has none yet (no step has run since it got a gradient).
     */
    private IValue read(Optimizer optimizer, Tensor[] params) {
        byte[] bytes = NativeOptimizer.archiveBytes(optimizer);
        Tensor[] found = new Tensor[params.length];
        int n = 0;
        try (BytePointer data = new BytePointer(bytes); InputArchive archive = new InputArchive();
             InputArchive state = new InputArchive()) {
            archive.load_from(data, bytes.length);
            if (!archive.try_read("state", state)) {
                return null;
            }
            for (; n < params.length; n++) {
                String key = Long.toUnsignedString(params[n].unsafeGetTensorImpl().address());
                try (InputArchive entry = new InputArchive(); IValue buf = new IValue()) {
                    if (!state.try_read(key, entry) || !entry.try_read("momentum_buffer", buf) || !buf.isTensor()) {
                        return null;
                    }
                    found[n] = new Tensor(buf.toTensor()); // toTensor is a reference into buf
                }
            }
            // libtorch's state now holds the tensors just read: the loaded copy of itself
            optimizer.load(archive);
            return list(n, k -> found[k]);
        } catch (RuntimeException e) {
            unavailable = true; // an archive layout this class does not know: libtorch's step, always
            org.slf4j.LoggerFactory.getLogger(FusedSgd.class).debug("SGD: fused update off ({})", e.getMessage());
            return null;
        } finally {
            for (int k = 0; k < n; k++) {
                found[k].close(); // the list, if made, holds its own references
            }
        }
    }

    /** Drops the buffers read: libtorch's state was replaced (a loaded checkpoint). */
    void forget() {
        misses = 0;
        close(bufList);
        bufList = null;
    }

    /** Frees everything held: the optimizer is closing. */
    void close() {
        forget();
        close(paramList);
        paramList = null;
    }
}
