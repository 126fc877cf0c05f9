package dev.jtorch.train;

import dev.jtorch.DType;
import dev.jtorch.Device;
import dev.jtorch.data.Batch;
import dev.jtorch.internal.NativeDenseStep;
import dev.jtorch.internal.NativeTensor;
import dev.jtorch.models.SimpleNN;
import dev.jtorch.nn.Linear;
import dev.jtorch.nn.Module;
import dev.jtorch.nn.ReLU;
import dev.jtorch.nn.Sequential;
import dev.jtorch.tensor.Tensor;
import dev.jtorch.tensor.access.TensorAccess;
import java.util.ArrayList;
import java.util.List;

/**
 * The trainer's hand-written step for dense models: forward, mean cross-entropy and backward of a
 * CPU float32 chain {@code Linear -> ReLU -> ... -> Linear} without the autograd graph
 * ({@link NativeDenseStep}); the optimizer's own {@code step} follows as usual.
 *
 * <p>Why: the SimpleNN's products are half of a step at batch 64; the rest was ~35 native calls
 * (the graph, libtorch's log-softmax/NLL kernels, argmax and the running sums) whose fixed costs
 * made jtorch slower than PyTorch 1.13 given the same BLAS kernel (docs/profile.md). Recognised
 * models: {@link SimpleNN} ({@code fc2(relu(fc1(x)))}) and a {@link Sequential} of alternating
 * {@code Linear} and {@code ReLU} that starts and ends with a {@code Linear}; every parameter
 * float32 on the CPU and requiring a gradient. {@code -Djtorch.denseStep=false} turns it off.
 */
final class DenseStep implements AutoCloseable {
    /** System property: {@code false} keeps the autograd step for every model. */
    static final String PROPERTY = dev.jtorch.Property.DENSE_STEP.key();

    private final NativeDenseStep step;

    private DenseStep(List<Linear> layers) {
        List<NativeTensor> w = new ArrayList<>();
        List<NativeTensor> b = new ArrayList<>();
        for (Linear l : layers) {
            w.add(TensorAccess.handle(l.weight()));
            b.add(l.bias() == null ? null : TensorAccess.handle(l.bias()));
        }
        this.step = new NativeDenseStep(w, b);
    }

    /** The step for {@code model}, or null when it is not a dense chain this step computes exactly. */
    static DenseStep forModel(Module model) {
        if (!dev.jtorch.Property.DENSE_STEP.isTrue()) {
            return null;
        }
        List<Linear> layers = layers(model);
        if (layers == null) {
            return null;
        }
        for (Linear l : layers) {
            for (Tensor p : l.bias() == null ? List.of(l.weight()) : List.of(l.weight(), l.bias())) {
                if (p.dtype() != DType.FLOAT32 || !p.device().equals(Device.CPU) || !p.requiresGrad()) {
                    return null;
                }
            }
        }
        return new DenseStep(layers);
    }

    /** The chain's layers in order, or null if {@code model} is not a recognised dense chain. */
    static List<Linear> layers(Module model) {
        List<Module> children = model.children();
        if (model.getClass() == SimpleNN.class) {
            // fc2(relu(fc1(x.view(-1, 784)))): two Linear children and a functional ReLU
            if (children.size() == 2 && children.get(0) instanceof Linear a && children.get(1) instanceof Linear b) {
                return List.of(a, b);
            }
            return null;
        }
        if (model.getClass() != Sequential.class || children.isEmpty() || children.size() % 2 == 0) {
            return null;
        }
        List<Linear> out = new ArrayList<>();
        for (int i = 0; i < children.size(); i++) {
            Module c = children.get(i);
            if (i % 2 == 0 && c instanceof Linear l) {
                out.add(l);
            } else if (i % 2 == 1 && c.getClass() == ReLU.class) {
                continue;
            } else {
                return null;
            }
        }
        return out;
    }

    /**
     * Forward, loss and backward of {@code b}: the parameters' gradients are overwritten with the
     * batch's (so no {@code zeroGrad} is needed before it).
     */
    NativeDenseStep.Outcome run(Batch b) {
        return step.run(TensorAccess.handle(b.images()), TensorAccess.handle(b.labels()));
    }

    @Override
    public void close() {
        step.close();
    }
}
