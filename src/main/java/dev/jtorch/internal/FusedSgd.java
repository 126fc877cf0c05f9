package dev.jtorch.internal;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.pytorch.GenericList;
import org.bytedeco.pytorch.IValue;
import org.bytedeco.pytorch.IValueVector;
import org.bytedeco.pytorch.InputArchive;
import org.bytedeco.pytorch.ListType;
import org.bytedeco.pytorch.Type;
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
    // made once, never freed (as libtorch's own type singletons)
    private static final Type.TypePtr TENSOR_T = ListType.ofTensors().getElementType();
    private static final IValue NONE = new IValue();
    private static final IValue TRUE = new IValue(true);
    private static final IValue FALSE = new IValue(false);
    private static final IValue EMPTY_LIST = list(0, i -> null);
    /** Fused updates run in this process: tests check that the fused path is the one they compare. */
    static final java.util.concurrent.atomic.AtomicLong STEPS = new java.util.concurrent.atomic.AtomicLong();

    /** Aliases of libtorch's momentum buffers, in parameter order; null until read. */
    private NativeTensor[] buffers;
    /** The boxed call's tensor lists, kept between steps (see {@link #step}); null until made. */
    private IValue paramList;
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
        if (momentum != 0 && buffers == null) {
            buffers = read(optimizer, params);
            if (buffers == null) {
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
        if (momentum != 0 && bufList == null) {
            bufList = list(buffers.length, i -> buffers[i].held());
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
        GenericList list = new GenericList(TENSOR_T);
        try {
            for (int k = 0; k < n; k++) {
                try (IValue e = new IValue(tensor.apply(k))) {
                    list.push_back(e);
                }
            }
            return new IValue(list);
        } finally {
            list.close();
        }
    }

    private static void close(IValue v) {
        if (v != null) {
            v.close();
        }
    }

    /**
     * The momentum buffers of libtorch's state, as the tensors the state holds; null when a
     * parameter has none yet (no step has run since it got a gradient).
     */
    private NativeTensor[] read(Optimizer optimizer, Tensor[] params) {
        byte[] bytes = NativeOptimizer.archiveBytes(optimizer);
        NativeTensor[] out = new NativeTensor[params.length];
        int n = 0;
        boolean done = false;
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
                    out[n] = NativeTensor.own(new Tensor(buf.toTensor())); // toTensor is a reference into buf
                }
            }
            // libtorch's state now holds the tensors just read: the loaded copy of itself
            optimizer.load(archive);
            done = true;
            return out;
        } catch (RuntimeException e) {
            unavailable = true; // an archive layout this class does not know: libtorch's step, always
            org.slf4j.LoggerFactory.getLogger(FusedSgd.class).debug("SGD: fused update off ({})", e.getMessage());
            return null;
        } finally {
            if (!done) {
                closeAll(out, n);
            }
        }
    }

    /** Drops the buffers read: libtorch's state was replaced (a loaded checkpoint). */
    void forget() {
        misses = 0;
        close(bufList);
        bufList = null;
        if (buffers != null) {
            closeAll(buffers, buffers.length);
            buffers = null;
        }
    }

    /** Frees everything held: the optimizer is closing. */
    void close() {
        forget();
        close(paramList);
        paramList = null;
    }

    private static void closeAll(NativeTensor[] ts, int n) {
        for (int i = 0; i < n; i++) {
            if (ts[i] != null) {
                ts[i].close();
            }
        }
    }
}
