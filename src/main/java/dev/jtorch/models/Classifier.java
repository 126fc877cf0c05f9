package dev.jtorch.models;

import dev.jtorch.nn.Conv2d;
import dev.jtorch.nn.Linear;
import dev.jtorch.nn.Module;
import dev.jtorch.nn.functional.F;
import dev.jtorch.tensor.Tensor;
import java.util.List;

/**
 * What the named architectures share: convolution blocks {@code conv1..convN}, each
 * {@code maxpool2(relu(conv))}, then the head {@code fc2(relu(fc1(flatten)))}. The layers are
 * registered in that order under those names, so the state-dict keys match the PyTorch models'.
 */
abstract class Classifier extends Module {
    private final Architecture architecture;
    private final List<Conv2d> convs;
    private final Linear fc1;
    private final Linear fc2;

    /**
     * Registers {@code convs} as {@code conv1..convN}, then {@code fc1 = Linear(features, hidden)}
     * and {@code fc2 = Linear(hidden, classes)}.
     *
     * @throws IllegalArgumentException if {@code classes} is below 1
     */
    Classifier(Architecture architecture, int classes, long features, long hidden, Conv2d... convs) {
        this.architecture = architecture;
        this.convs = List.of(convs);
        for (int i = 0; i < convs.length; i++) {
            register("conv" + (i + 1), convs[i]);
        }
        fc1 = register("fc1", new Linear(features, hidden));
        fc2 = register("fc2", new Linear(hidden, Architecture.checkClasses(classes)));
    }

    /** The batch as the first layer takes it; the batch itself unless a model reshapes it. */
    Tensor reshape(Tensor batch) {
        return batch;
    }

    /**
     * The logits of a batch.
     *
     * @return {@code [N, classes]}, owned by the current scope
     * @throws dev.jtorch.TorchException naming the model, the expected and the actual shape if the
     *     batch does not fit the architecture
     */
    @Override
    public final Tensor forward(Tensor x) {
        architecture.checkInput(x);
        Tensor h = reshape(x);
        for (Conv2d conv : convs) {
            // relu(maxpool(c)) == maxpool(relu(c)) in values and gradients (ReLU is monotone; a window
            // whose maximum is <= 0 passes no gradient either way; NaN wins both), at a quarter of the ReLU work
            h = F.relu(F.maxPool2d(conv.forward(h), 2));
        }
        return fc2.forward(F.relu(fc1.forward(convs.isEmpty() ? h : h.flatten(1, -1))));
    }
}
